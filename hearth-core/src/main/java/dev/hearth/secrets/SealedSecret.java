package dev.hearth.secrets;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A named secret as it is stored: its keys in the clear (they name environment variables and are listed), its
 * values only sealed.
 *
 * @param keys   the variable names, sorted
 * @param sealed the values, encrypted and authenticated with the secret's name, as the server's cipher wrote them
 */
public record SealedSecret(String name, List<String> keys, String sealed, Instant updatedAt) {

    public SealedSecret {
        Objects.requireNonNull(name, "name");
        keys = List.copyOf(keys);
        Objects.requireNonNull(sealed, "sealed");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
