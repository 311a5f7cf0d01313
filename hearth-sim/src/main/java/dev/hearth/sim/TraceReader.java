package dev.hearth.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a CSV trace into arrivals: a header line, then one request per line. The timestamp column holds ISO date-times
 * ({@code 2023-11-16 18:17:03.97996} or with a {@code T}; UTC unless an offset is given) or epoch seconds or
 * milliseconds (a number below 10^11 is taken as seconds). Arrivals are replayed relative to the earliest timestamp.
 * An optional {@link LinearExpression} over the columns gives each request's execution time in milliseconds.
 */
final class TraceReader {

    private static final double EPOCH_SECONDS_BELOW = 1e11;

    private TraceReader() {
    }

    static Traffic.Replay read(Path file, String timestampColumn, String executionMs) {
        LinearExpression expression;
        try {
            expression = executionMs == null ? null : LinearExpression.parse(executionMs);
        } catch (IllegalArgumentException e) {
            throw new ScenarioException("executionMs: " + e.getMessage());
        }
        List<long[]> rows = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null) {
                throw new ScenarioException(file + " is empty; expected a header line with a '" + timestampColumn
                        + "' column");
            }
            List<String> names = Arrays.stream(split(header.replace("\uFEFF", ""))).map(String::strip).toList();
            int ts = index(names, timestampColumn, file);
            Map<String, Integer> columns = new HashMap<>();
            if (expression != null) {
                for (String c : expression.columns()) {
                    columns.put(c, index(names, c, file));
                }
            }
            String line;
            int lineNo = 1;
            Map<String, Double> values = new HashMap<>();
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = split(line);
                long at = timestamp(cell(cells, ts, file, lineNo), file, lineNo);
                long exec = -1;
                if (expression != null) {
                    for (Map.Entry<String, Integer> c : columns.entrySet()) {
                        String v = cell(cells, c.getValue(), file, lineNo);
                        try {
                            values.put(c.getKey(), Double.parseDouble(v));
                        } catch (NumberFormatException e) {
                            throw new ScenarioException(file + " line " + lineNo + ": column '" + c.getKey()
                                    + "' is not a number: '" + v + "'");
                        }
                    }
                    exec = Math.max(0, Math.round(expression.evaluate(values)));
                }
                rows.add(new long[] {at, exec});
            }
        } catch (IOException e) {
            throw new ScenarioException("cannot read trace " + file + ": " + e.getMessage());
        }
        if (rows.isEmpty()) {
            throw new ScenarioException(file + " has no requests");
        }
        rows.sort((a, b) -> Long.compare(a[0], b[0]));
        long first = rows.getFirst()[0];
        long[] at = new long[rows.size()];
        long[] exec = expression == null ? null : new long[rows.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = rows.get(i)[0] - first;
            if (exec != null) {
                exec[i] = rows.get(i)[1];
            }
        }
        return new Traffic.Replay(file.getFileName().toString(), at, exec);
    }

    /** The {@code format} of the Azure Functions 2019 per-minute invocation counts. */
    static final String AZURE_FUNCTIONS_2019 = "azure-functions-2019";

    /**
     * Reads the Azure Functions 2019 trace ({@code invocations_per_function_md.anon.dNN.csv}): a header
     * {@code HashOwner,HashApp,HashFunction,Trigger,1,2,...,1440}, then one line per function with its invocations in
     * each minute of the day. The rows whose {@code HashFunction} is {@code function} (every row when null) are summed
     * minute by minute.
     */
    static Traffic.PerMinute readAzureFunctions2019(Path file, String function) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null) {
                throw new ScenarioException(file + " is empty; expected the Azure Functions 2019 header "
                        + "HashOwner,HashApp,HashFunction,Trigger,1,2,...,1440");
            }
            List<String> names = Arrays.stream(split(header.replace("\uFEFF", ""))).map(String::strip).toList();
            int hash = index(names, "HashFunction", file);
            int first = names.indexOf("1");
            if (first < 0) {
                throw new ScenarioException(file + " has no minute columns (1, 2, ... 1440) after its "
                        + "HashFunction column; its columns are " + names.subList(0, Math.min(6, names.size())));
            }
            int minutes = names.size() - first;
            for (int m = 0; m < minutes; m++) {
                if (!names.get(first + m).equals(Integer.toString(m + 1))) {
                    throw new ScenarioException(file + ": column " + (first + m + 1) + " is '" + names.get(first + m)
                            + "', expected minute " + (m + 1));
                }
            }
            long[] counts = new long[minutes];
            boolean matched = false;
            String line;
            int lineNo = 1;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = split(line);
                if (function != null && !cell(cells, hash, file, lineNo).strip().equals(function)) {
                    continue;
                }
                matched = true;
                for (int m = 0; m < minutes; m++) {
                    String v = cell(cells, first + m, file, lineNo).strip();
                    try {
                        counts[m] += v.isEmpty() ? 0 : Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        throw new ScenarioException(file + " line " + lineNo + ": minute " + (m + 1) + " is not a "
                                + "count: '" + v + "'");
                    }
                }
            }
            if (!matched) {
                throw new ScenarioException(function == null ? file + " has no functions"
                        : file + " has no function with HashFunction '" + function + "'");
            }
            return new Traffic.PerMinute(file.getFileName().toString(), counts);
        } catch (IOException e) {
            throw new ScenarioException("cannot read trace " + file + ": " + e.getMessage());
        }
    }

    /** Epoch milliseconds of a timestamp cell. */
    static long timestamp(String text, Path file, int lineNo) {
        String s = text.strip();
        if (!s.isEmpty() && (Character.isDigit(s.charAt(0)) && !s.contains("-") && !s.contains(":"))) {
            try {
                BigDecimal n = new BigDecimal(s);
                return n.doubleValue() < EPOCH_SECONDS_BELOW ? n.movePointRight(3).longValue() : n.longValue();
            } catch (NumberFormatException e) {
                // not a number: try a date-time below
            }
        }
        String iso = s.replace(' ', 'T');
        try {
            if (iso.endsWith("Z") || iso.endsWith("z")) {
                return Instant.parse(iso.toUpperCase(Locale.ROOT)).toEpochMilli();
            }
            if (iso.matches(".*[+-]\\d\\d:?\\d\\d$") && iso.indexOf('T') < iso.length() - 6) {
                return OffsetDateTime.parse(iso).toInstant().toEpochMilli();
            }
            return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new ScenarioException(file + " line " + lineNo + ": '" + text + "' is not a timestamp; expected an "
                    + "ISO date-time (2023-11-16 18:17:03.98, UTC unless an offset is given) or epoch seconds or "
                    + "milliseconds");
        }
    }

    private static int index(List<String> names, String column, Path file) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(column)) {
                return i;
            }
        }
        throw new ScenarioException(file + " has no column '" + column + "'; its columns are " + names);
    }

    private static String cell(String[] cells, int i, Path file, int lineNo) {
        if (i >= cells.length) {
            throw new ScenarioException(file + " line " + lineNo + " has " + cells.length + " cells, fewer than the "
                    + "header");
        }
        return cells[i];
    }

    /** Comma-separated cells; a cell in double quotes may hold commas. */
    private static String[] split(String line) {
        if (line.indexOf('"') < 0) {
            return line.split(",", -1);
        }
        List<String> cells = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                cells.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        cells.add(cur.toString());
        return cells.toArray(String[]::new);
    }
}
