package dev.hearth.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * A PostgreSQL store as users write it, {@code postgresql://user[:password]@host[:port]/database[?schema=hearth&...]}
 * (libpq's form; {@code postgres://} too), taken apart into what the JDBC driver wants. {@code schema} names the
 * schema the tables live in ({@value #DEFAULT_SCHEMA} by default); every other parameter goes to the driver as a
 * connection property ({@code sslmode}, {@code connectTimeout}, ...), except {@code synchronous_commit}: {@code off}
 * (the default) lets Hearth's commits return before PostgreSQL flushes its log, as the SQLite store's commits return
 * before an fsync (a commit survives a crash of Hearth, not one of the database host); {@code on} flushes every commit.
 *
 * @param jdbcUrl    {@code jdbc:postgresql://host:port/database}, without credentials
 * @param schema     the schema of Hearth's tables
 * @param properties user, password and the other parameters
 * @param flushEachCommit whether a commit waits for PostgreSQL's log to reach the disk ({@code synchronous_commit})
 * @param display    the URL without its password, for messages
 */
public record PostgresUrl(String jdbcUrl, String schema, Properties properties, boolean flushEachCommit,
                          String display) {

    public static final String DEFAULT_SCHEMA = "hearth";

    /** Whether {@code text} is meant as a PostgreSQL URL (rather than, say, a data directory). */
    public static boolean looksLikeOne(String text) {
        return text != null && (text.startsWith("postgresql://") || text.startsWith("postgres://"));
    }

    /**
     * @param what names the setting in error messages, e.g. {@code --store}
     * @throws IllegalArgumentException naming {@code what} when {@code text} is not such a URL
     */
    public static PostgresUrl parse(String text, String what) {
        if (!looksLikeOne(text)) {
            throw new IllegalArgumentException(what + " must be a URL like postgresql://user@host:5432/database, got '"
                    + text + "'");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(what + " is not a valid URL (" + e.getReason() + ")");
        }
        String db = uri.getRawPath() == null ? "" : uri.getRawPath().replaceFirst("^/", "");
        if (uri.getHost() == null || db.isEmpty() || db.contains("/")) {
            throw new IllegalArgumentException(what + " must name a host and a database, like "
                    + "postgresql://user@host:5432/database, got '" + redact(text, uri) + "'");
        }
        Properties props = new Properties();
        String display = "postgresql://";
        if (uri.getRawUserInfo() != null) {
            String[] user = uri.getRawUserInfo().split(":", 2);
            props.setProperty("user", decode(user[0]));
            display += user[0] + (user.length > 1 ? ":***" : "") + "@";
            if (user.length > 1) {
                props.setProperty("password", decode(user[1]));
            }
        }
        String hostPort = uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        display += hostPort + "/" + db;
        String schema = DEFAULT_SCHEMA;
        boolean flush = false;
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                String[] kv = pair.split("=", 2);
                String key = decode(kv[0]);
                String value = kv.length > 1 ? decode(kv[1]) : "";
                if (key.equals("schema")) {
                    schema = value;
                } else if (key.equals("synchronous_commit")) {
                    if (!value.equals("on") && !value.equals("off")) {
                        throw new IllegalArgumentException(what + ": synchronous_commit must be on or off, got '"
                                + value + "'");
                    }
                    flush = value.equals("on");
                } else {
                    props.setProperty(key, value);
                }
            }
        }
        return new PostgresUrl("jdbc:postgresql://" + hostPort + "/" + db, schema, props, flush,
                display + (schema.equals(DEFAULT_SCHEMA) ? "" : "?schema=" + schema));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String redact(String text, URI uri) {
        String info = uri.getRawUserInfo();
        return info == null || !info.contains(":") ? text : text.replace(info, info.substring(0, info.indexOf(':'))
                + ":***");
    }

    @Override
    public String toString() {
        return display;
    }
}
