package dev.hearth.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** JSON in and out of the terminal. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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
