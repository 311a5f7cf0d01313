package dev.hearth.server.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web dashboard: static files from the classpath folder {@code dashboard/}, served at {@code /} and
 * {@code /dashboard/{file}} without authentication. The page holds no data; its scripts call the JSON API with the
 * key the user enters, so serving it publicly gives nothing away.
 */
final class DashboardRoutes {

    /** Flat file names only: no separators, no dot segments, so no way out of the folder. */
    private static final Pattern FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*\\.(html|js|css|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");
    /** Everything from this origin only; no inline script, no framing. */
    private static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    private record Asset(byte[] bytes, String type, String etag) {
    }

    /** Files found so far; misses are not kept, so that made-up names cannot grow it. */
    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    void register(Router r) {
        Router.Access p = Router.Access.PUBLIC;
        r.add("GET", "/", p, c -> serve(c, "index.html"))
                .add("GET", "/dashboard", p, c -> serve(c, "index.html"))
                .add("GET", "/dashboard/{file}", p, c -> serve(c, c.param("file")));
    }

    private void serve(Call call, String name) {
        Asset a = FILE.matcher(name).matches() ? cache.computeIfAbsent(name, DashboardRoutes::load) : null;
        if (a == null) {
            call.text(404, "text/plain; charset=utf-8", "no such dashboard file: " + name);
            return;
        }
        // The files are not fingerprinted, so browsers keep them but ask again each time (a 304 is cheap).
        call.responseHeader("Cache-Control", "no-cache");
        call.responseHeader("ETag", a.etag());
        call.responseHeader("X-Content-Type-Options", "nosniff");
        call.responseHeader("Content-Security-Policy", POLICY);
        call.responseHeader("Referrer-Policy", "no-referrer");
        String match = call.header("If-None-Match");
        if (match != null && match.contains(a.etag())) {
            call.empty(304);
            return;
        }
        call.send(200, a.type(), a.bytes());
    }

    /** The file from the classpath, or null if there is none. */
    private static Asset load(String name) {
        try (InputStream in = DashboardRoutes.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) {
                return null;
            }
            byte[] bytes = in.readAllBytes();
            String ext = name.substring(name.lastIndexOf('.') + 1);
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
            return new Asset(bytes, TYPES.get(ext), "\"" + hash + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dashboard file " + name, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
