package dev.hearth.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** JSON in and out of the terminal. */
final class Json {

    /** Decimals read and written as they are: 0.00000077 stays that, not 7.7E-7. */
    static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    private Json() {
    }

    /** Parses user input; a mistake is a usage error that quotes the parser. */
    static JsonNode parse(String text, String what) {
        try {
            JsonNode n = MAPPER.readTree(text);
            if (n == null || n.isMissingNode()) {
                throw CliException.usage(what + " is empty; give JSON such as '{\"x\":1}'");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw CliException.usage(what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** Dollars as the CLI prints them: six decimals, so a millisecond of a GPU still shows. */
    static String money(JsonNode dollars) {
        return money(dollars.decimalValue());
    }

    static String money(java.math.BigDecimal dollars) {
        return dev.hearth.metering.Money.ofDollars(dollars).rounded(6);
    }

    static String pretty(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    static String compact(JsonNode value) {
        return value == null ? "null" : value.toString();
    }
}
