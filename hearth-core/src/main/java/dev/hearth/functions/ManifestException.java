package dev.hearth.functions;

import dev.hearth.errors.HearthException;

/** A {@code hearth.yaml} that cannot be deployed; the message names the field and what to write instead. */
public final class ManifestException extends HearthException.BadRequest {

    public ManifestException(String message) {
        super("invalid manifest: " + message);
    }
}
