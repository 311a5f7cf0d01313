package dev.hearth.server.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Matches {@code METHOD /path/{param}/...} templates; the first match wins. A last part {@code {param*}} takes the
 * rest of the path, one segment or more, joined by {@code /} (a file path inside a volume, say).
 */
final class Router {

    @FunctionalInterface
    interface Handler {
        void handle(Call call) throws Exception;
    }

    /** Who may call a route. */
    enum Access { PUBLIC, CLIENT, WORKER }

    /** A route; {@code tail}: its last part takes the rest of the path. */
    record Route(String method, String template, String[] parts, Access access, Handler handler, boolean tail) {
    }

    record Match(Route route, Map<String, String> params) {
    }

    private final List<Route> routes = new ArrayList<>();

    Router add(String method, String template, Access access, Handler handler) {
        String[] parts = split(template);
        boolean tail = parts.length > 0 && parts[parts.length - 1].endsWith("*}");
        routes.add(new Route(method, template, parts, access, handler, tail));
        return this;
    }

    /** The route for the request, or null; {@code methodMismatch[0]} tells whether the path matched another method. */
    Match match(String method, String path, boolean[] methodMismatch) {
        String[] parts = split(path);
        for (Route r : routes) {
            Map<String, String> params = matchParts(r.parts(), r.tail(), parts);
            if (params != null) {
                if (r.method().equals(method)) {
                    return new Match(r, params);
                }
                methodMismatch[0] = true;
            }
        }
        return null;
    }

    private static Map<String, String> matchParts(String[] template, boolean tail, String[] parts) {
        if (tail ? parts.length < template.length : template.length != parts.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>(4);
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (tail && i == template.length - 1) {
                params.put(t.substring(1, t.length() - 2), String.join("/", List.of(parts).subList(i, parts.length)));
            } else if (t.startsWith("{")) {
                if (parts[i].isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), parts[i]);
            } else if (!t.equals(parts[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }
}
