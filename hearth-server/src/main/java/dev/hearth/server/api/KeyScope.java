package dev.hearth.server.api;

import dev.hearth.errors.HearthException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What an API key may do. Each route needs one scope ({@link #required}); a key's scope grants some:
 * {@code admin} everything; {@code deploy} functions, versions, scaling and secrets, plus what {@code read} and
 * {@code invoke} grant (whoever deploys code can run it); {@code invoke} the client calls at {@code /v2}, optionally
 * for listed functions only; {@code read} status, logs, metrics and usage, changing nothing.
 */
enum KeyScope {
    READ, INVOKE, DEPLOY, ADMIN;

    /** A job by its id alone; the route has no {fn}, so its handler checks a function-bound key itself. */
    static final String JOB_BY_ID = "/v1/jobs/{id}";

    String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    static KeyScope fromWire(String s) {
        for (KeyScope k : values()) {
            if (k.wire().equals(s == null ? "" : s.trim().toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new HearthException.BadRequest("'scope' must be one of " + Arrays.stream(values())
                .map(KeyScope::wire).collect(Collectors.joining(", ")) + ", got '" + s + "'");
    }

    /** Whether a key of this scope may call a route that needs {@code needed}. */
    boolean grants(KeyScope needed) {
        return switch (this) {
            case ADMIN -> true;
            case DEPLOY -> needed != ADMIN;
            case INVOKE -> needed == INVOKE;
            case READ -> needed == READ;
        };
    }

    /** Whether a key of this scope may call the route {@code method template}. */
    boolean allows(String method, String template) {
        KeyScope needed = required(method, template);
        // an invoke key also reads what its calls made: status, health and stream at /v2, a job's status by its id
        return grants(needed) || this == INVOKE && needed == READ
                && (template.startsWith("/v2/") || template.equals(JOB_BY_ID)
                        || ReplicateRoutes.isClientRoute(template));
    }

    /**
     * The scope a client route needs: client calls at {@code /v2} and Replicate's (predictions, files) need invoke,
     * and reading them (status, health, stream) needs read; other reads need read; changes to functions and what they carry need deploy; the rest (keys,
     * nodes, budgets, the webhook secret) needs admin.
     */
    static KeyScope required(String method, String template) {
        boolean get = method.equals("GET") || method.equals("HEAD");
        if (template.startsWith("/v2/") || ReplicateRoutes.isClientRoute(template)) {
            return get ? READ : INVOKE; // Replicate's predictions and files are client calls, as /v2's
        }
        if (template.equals(JOB_BY_ID + "/cancel")) {
            return INVOKE; // as /v2/{fn}/cancel/{id}
        }
        if (template.startsWith("/v1/keys") || template.startsWith("/v1/webhooks/") || template.equals("/v1/audit")) {
            return ADMIN;
        }
        if (get) {
            return READ;
        }
        if (template.startsWith("/v1/functions") || template.startsWith("/v1/secrets")
                || template.startsWith("/v1/volumes") || template.startsWith("/v1/envs")) {
            return DEPLOY;
        }
        return ADMIN;
    }
}
