package dev.hearth.server.api;

import dev.hearth.errors.HearthException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code multipart/form-data} body, read whole (RFC 7578): its parts with their names, file names and types. */
final class Multipart {

    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary=(\"([^\"]+)\"|([^;\\s]+))");
    private static final Pattern NAME = Pattern.compile("(?i);\\s*name=\"([^\"]*)\"");
    private static final Pattern FILENAME = Pattern.compile("(?i);\\s*filename=\"([^\"]*)\"");

    /** One part: its bytes are {@code body[from, to)}, not copied (an upload may be 100 MB). */
    record Part(String name, String filename, String contentType, byte[] body, int from, int to) {

        int length() {
            return to - from;
        }

        String text() {
            return new String(body, from, to - from, StandardCharsets.UTF_8);
        }
    }

    private Multipart() {
    }

    static String boundary(String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new HearthException.BadRequest("the body must be multipart/form-data with a 'content' file part "
                    + "(and an optional 'metadata' JSON part), got Content-Type " + contentType);
        }
        Matcher m = BOUNDARY.matcher(contentType);
        if (!m.find()) {
            throw new HearthException.BadRequest("Content-Type multipart/form-data needs a boundary parameter");
        }
        return m.group(2) != null ? m.group(2) : m.group(3);
    }

    static List<Part> parse(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<Part> parts = new ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw bad("no part starts with the boundary");
        }
        while (true) {
            int start = at + delimiter.length;
            if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') {
                return parts; // the closing delimiter
            }
            start = skipLineEnd(body, start);
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
            if (headersEnd < 0) {
                throw bad("a part has no end of its headers");
            }
            String headers = new String(body, start, headersEnd - start, StandardCharsets.UTF_8);
            int contentStart = headersEnd + 4;
            byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
            int end = indexOf(body, next, contentStart);
            if (end < 0) {
                throw bad("a part is not closed by the boundary");
            }
            parts.add(part(headers, body, contentStart, end));
            at = end + 2;
        }
    }

    private static Part part(String headers, byte[] body, int from, int to) {
        String name = null;
        String filename = null;
        String type = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String h = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String v = line.substring(colon + 1).trim();
            if (h.equals("content-disposition")) {
                Matcher n = NAME.matcher(v);
                name = n.find() ? n.group(1) : null;
                Matcher f = FILENAME.matcher(v);
                filename = f.find() ? f.group(1) : null;
            } else if (h.equals("content-type")) {
                type = v;
            }
        }
        if (name == null) {
            throw bad("a part has no Content-Disposition name");
        }
        return new Part(name, filename, type, body, from, to);
    }

    private static int skipLineEnd(byte[] b, int i) {
        return i + 1 < b.length && b[i] == '\r' && b[i + 1] == '\n' ? i + 2 : i;
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (hay[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static HearthException bad(String why) {
        return new HearthException.BadRequest("the multipart/form-data body is malformed: " + why);
    }
}
