package dev.hearth.alerts;

import dev.hearth.errors.HearthException;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An alert rule: a condition on one function's figures, or on all functions' together.
 *
 * @param name      unique; what the API, CLI and notifications call it
 * @param function  the function watched, or null for all functions together
 * @param condition when it fires
 * @param notification where it is sent, or null for a rule that is only shown (dashboard, {@code hearth alert ls})
 * @param createdAt when it was made (or last replaced)
 */
public record AlertRule(String name, String function, AlertCondition condition, AlertNotification notification,
                        Instant createdAt) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    public AlertRule {
        checkName(name);
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** @throws HearthException.BadRequest unless the name is 1-63 lowercase letters, digits, '.', '_' or '-' */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new HearthException.BadRequest("'name' must be 1-63 characters: lowercase letters, digits, '.', "
                    + "'_' or '-', starting with a letter or digit; got '" + name + "'");
        }
        return name;
    }

    /** What it watches, for messages: {@code echo} or {@code all functions}. */
    public String scope() {
        return function == null ? "all functions" : function;
    }
}
