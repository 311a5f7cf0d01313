package dev.hearth.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON bodies a worker posts, shaped as runpod-python shapes them. */
final class Payloads {

    private final ObjectMapper json;
    private final String workerId;
    private final String hostname;

    Payloads(ObjectMapper json, String workerId, String hostname) {
        this.json = json;
        this.workerId = workerId;
        this.hostname = hostname;
    }

    /** {@code {"output": result}}, with runpod-python's handling of {@code error} and {@code refresh_worker} keys. */
    byte[] output(Object result) throws JsonProcessingException {
        Map<String, Object> body = new LinkedHashMap<>(4);
        if (result instanceof Map<?, ?> m && (m.containsKey("error") || m.containsKey("refresh_worker"))) {
            Map<Object, Object> rest = new LinkedHashMap<>(m);
            Object error = rest.remove("error");
            Object refresh = rest.remove("refresh_worker");
            putSplit(body, rest.isEmpty() ? null : rest, error, Boolean.TRUE.equals(refresh));
        } else if (result instanceof ObjectNode n && (n.has("error") || n.has("refresh_worker"))) {
            ObjectNode rest = n.deepCopy();
            JsonNode error = rest.remove("error");
            JsonNode refresh = rest.remove("refresh_worker");
            putSplit(body, rest.isEmpty() ? null : rest, error == null || error.isNull() ? null : error,
                    refresh != null && refresh.asBoolean());
        } else {
            body.put("output", result);
        }
        return json.writeValueAsBytes(body);
    }

    private static void putSplit(Map<String, Object> body, Object output, Object error, boolean stopPod) {
        if (output != null) {
            body.put("output", output);
        }
        if (error != null) {
            body.put("error", error);
        }
        if (stopPod) {
            body.put("stopPod", true);
        }
        if (body.isEmpty()) {
            body.put("output", null);
        }
    }

    /** {@code {"error": "<json text>"}} describing a handler failure. */
    byte[] error(Throwable failure) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        String message = failure.getMessage() != null ? failure.getMessage() : failure.toString();
        return error(failure.getClass().getName(), message, trace.toString());
    }

    /** {@code {"error": "<json text>"}}; never fails, since it is the last resort for a job. */
    byte[] error(String type, String message, String traceback) {
        Map<String, Object> info = new LinkedHashMap<>(8);
        info.put("error_type", type);
        info.put("error_message", message);
        info.put("error_traceback", traceback);
        info.put("hostname", hostname);
        info.put("worker_id", workerId);
        info.put("runpod_version", Version.TAG);
        try {
            // The error is JSON text inside a JSON string: that is what the protocol (and runpod-python) does.
            return json.writeValueAsBytes(Map.of("error", json.writeValueAsString(info)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("strings always serialize", e);
        }
    }

    /** {@code {"status": "IN_PROGRESS", "output": update}}. */
    byte[] progress(Object update) throws JsonProcessingException {
        Map<String, Object> body = new LinkedHashMap<>(2);
        body.put("status", "IN_PROGRESS");
        body.put("output", update);
        return json.writeValueAsBytes(body);
    }

    /** A chunk's JSON text: serialized once, then used in its stream post and in the final aggregate. */
    String chunk(Object chunk) throws JsonProcessingException {
        return json.writeValueAsString(chunk);
    }

    /** {@code {"output": <chunk json>}}. */
    static byte[] streamed(String chunkJson) {
        return ("{\"output\":" + chunkJson + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
