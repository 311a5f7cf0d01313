package dev.hearth.server.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one JSON mapper of the HTTP layer. Money is written as plain decimals: 0.00000077, not 7.7E-7. */
final class Json {

    /**
     * Reading limits are Jackson's defaults, made explicit because docs/api.md promises them: 1000 levels of nesting,
     * 1000-digit numbers.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(1000).maxNumberLength(1000)
                    .build()).build())
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private Json() {
    }
}
