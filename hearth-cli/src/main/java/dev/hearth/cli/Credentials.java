package dev.hearth.cli;

import dev.hearth.client.Hearth;
import java.net.URI;
import java.nio.file.Path;

/**
 * Which server a client command talks to, with which key. Each comes from, in order: the {@code --url} / {@code --key}
 * options, {@code HEARTH_URL} / {@code HEARTH_API_KEY}, {@code <data-dir>/client.json}, and for the URL the default
 * {@code http://127.0.0.1:8420}.
 *
 * @param url    the server
 * @param apiKey its key, or null when none was found
 */
record Credentials(URI url, String apiKey) {

    static Credentials resolve(String urlOption, String keyOption, Context ctx, Path dataDir) {
        ClientConfig file = ClientConfig.read(ClientConfig.file(dataDir));
        URI url = firstUrl(urlOption, ctx.variable(Hearth.URL_VARIABLE), file.url());
        String key = first(keyOption, ctx.variable(Hearth.KEY_VARIABLE), null);
        // The file's key belongs to the file's server: never send it to a server named elsewhere.
        if (key == null && file.apiKey() != null && (file.url() == null || sameServer(file.url(), url))) {
            key = file.apiKey();
        }
        return new Credentials(url, key);
    }

    /** The key, or a usage error that says every way to give one. */
    String requireKey(Path dataDir) {
        if (apiKey == null) {
            throw CliException.usage("no API key for " + url + ": pass --key, set " + Hearth.KEY_VARIABLE
                    + ", or run next to the data dir of './hearth up' (looked in "
                    + ClientConfig.file(dataDir) + ")");
        }
        return apiKey;
    }

    private static URI firstUrl(String option, String variable, URI file) {
        String text = first(option, variable, null);
        if (text == null) {
            return file != null ? file : Hearth.DEFAULT_URL;
        }
        URI uri;
        try {
            uri = URI.create(text.contains("://") ? text : "http://" + text);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("'" + text + "' is not a URL, e.g. http://127.0.0.1:8420");
        }
        if (uri.getHost() == null) {
            throw CliException.usage("'" + text + "' is not a URL, e.g. http://127.0.0.1:8420");
        }
        return uri;
    }

    private static String first(String a, String b, String c) {
        if (a != null && !a.isBlank()) {
            return a.strip();
        }
        if (b != null && !b.isBlank()) {
            return b.strip();
        }
        return c;
    }

    private static boolean sameServer(URI a, URI b) {
        return strip(a).equals(strip(b));
    }

    private static String strip(URI u) {
        String s = u.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
