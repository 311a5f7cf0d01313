package dev.hearth.secrets;

import java.util.List;
import java.util.Optional;

/** Durable secrets, one per name. The store sees only sealed values. */
public interface SecretStore {

    /** Every secret, by name. */
    List<SealedSecret> listSecrets();

    Optional<SealedSecret> findSecret(String name);

    /** Creates the secret, or replaces the one of the same name. */
    void saveSecret(SealedSecret secret);

    /** @return whether there was one */
    boolean deleteSecret(String name);
}
