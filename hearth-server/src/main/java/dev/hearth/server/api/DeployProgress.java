package dev.hearth.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.hearth.errors.HearthException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A deploy's answer to a client that asked for progress ({@code Accept: application/x-ndjson}): nothing is sent until
 * the first progress line (a Python environment being built), so a deploy that fails or succeeds at once answers as
 * it always did (problem+json with its status, or 201 JSON). Once lines flow, the answer is {@code 200
 * application/x-ndjson}: one {@code {"progress": "..."}} object per line of output, then one {@code {"deployed":
 * {...}}} or {@code {"problem": {...}}} with the status the plain answer would have had.
 */
final class DeployProgress implements Consumer<String> {

    static final String NDJSON = "application/x-ndjson";

    private final Call call;
    private OutputStream out;

    DeployProgress(Call call) {
        this.call = call;
    }

    /** Whether the client asked for progress: {@code Accept: application/x-ndjson} or {@code ?progress=ndjson}. */
    static boolean wanted(Call call) {
        String accept = call.header("Accept");
        return accept != null && accept.contains(NDJSON) || "ndjson".equals(call.query("progress"));
    }

    @Override
    public void accept(String line) {
        if (out == null) {
            out = call.stream(200, NDJSON);
        }
        write(Map.of("progress", line));
    }

    /** Ends the answer with the new version, or answers with it as a plain deploy does when nothing was streamed. */
    void deployed(Map<String, Object> body) {
        if (out == null) {
            call.json(201, body);
            return;
        }
        write(Map.of("deployed", body));
        close();
    }

    /** Ends a streamed answer with the problem; false when nothing was streamed (answer with the problem as usual). */
    boolean failed(RuntimeException e) {
        if (out == null) {
            return false;
        }
        write(Map.of("problem", e instanceof HearthException h
                ? HttpApi.problemBody(h, call.path())
                : HttpApi.problemBody(500, "Internal Server Error", "unexpected error (" + e.getClass().getSimpleName()
                        + "); the server log has the details", call.path())));
        close();
        return true;
    }

    private void write(Object line) {
        try {
            byte[] json = Json.MAPPER.writeValueAsBytes(line);
            out.write(json);
            out.write('\n');
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            // the stream swallows a client that went away; the deploy goes on
        }
    }

    private void close() {
        try {
            out.close();
        } catch (IOException e) {
            // as above
        }
    }
}
