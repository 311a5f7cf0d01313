package dev.hearth.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.secrets.SealedSecret;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every store must do with sealed secrets; run against SQLite and PostgreSQL. */
public abstract class SecretStoreContract extends EmptyStorePerTest {

    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

    @Test
    void aSavedSecretReadsBackAsSavedAndIsListedByName() {
        SealedSecret hf = new SealedSecret("hf-token", List.of("HF_TOKEN"), "c2VhbGVk", T0);
        SealedSecret aws = new SealedSecret("aws", List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"), "b3RoZXI=",
                T0.plusMillis(5));
        store.saveSecret(hf);
        store.saveSecret(aws);

        assertThat(store.findSecret("hf-token")).contains(hf);
        assertThat(store.findSecret("nope")).isEmpty();
        assertThat(store.listSecrets()).containsExactly(aws, hf);
    }

    @Test
    void savingAgainReplacesKeysValuesAndTime() {
        store.saveSecret(new SealedSecret("hf-token", List.of("A", "B"), "b2xk", T0));
        SealedSecret replaced = new SealedSecret("hf-token", List.of("HF_TOKEN"), "bmV3", T0.plusSeconds(60));

        store.saveSecret(replaced);

        assertThat(store.listSecrets()).containsExactly(replaced);
    }

    @Test
    void deletingSaysWhetherThereWasOne() {
        store.saveSecret(new SealedSecret("hf-token", List.of("HF_TOKEN"), "c2VhbGVk", T0));

        assertThat(store.deleteSecret("hf-token")).isTrue();
        assertThat(store.deleteSecret("hf-token")).isFalse();
        assertThat(store.listSecrets()).isEmpty();
    }
}
