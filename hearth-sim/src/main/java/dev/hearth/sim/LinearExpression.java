package dev.hearth.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sum of terms over a trace's columns, for a request's execution time: {@code 20 + 0.05*ContextTokens +
 * 30*GeneratedTokens}. Each term is a number, a column, or a number times a column (either order); terms are joined by
 * {@code +} or {@code -}. Nothing more: enough for a linear cost model of tokens, and no evaluator to trust.
 */
final class LinearExpression {

    private static final String NUMBER = "\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?";
    private static final String NAME = "[A-Za-z_][A-Za-z0-9_]*";
    private static final Pattern TERM = Pattern.compile("\\s*([-+])?\\s*(?:(" + NUMBER + ")\\s*(?:\\*\\s*(" + NAME
            + "))?|(" + NAME + ")\\s*(?:\\*\\s*(" + NUMBER + "))?)\\s*");

    private record Term(double coefficient, String column) {
    }

    private final List<Term> terms;

    private LinearExpression(List<Term> terms) {
        this.terms = terms;
    }

    /** @throws IllegalArgumentException showing the accepted form */
    static LinearExpression parse(String text) {
        List<Term> terms = new ArrayList<>();
        Matcher m = TERM.matcher(text);
        int at = 0;
        while (at < text.length()) {
            m.region(at, text.length());
            if (!m.lookingAt() || m.end() == at || (!terms.isEmpty() && m.group(1) == null)) {
                throw new IllegalArgumentException("'" + text + "' is not a sum of terms such as "
                        + "'20 + 0.05*ContextTokens + 30*GeneratedTokens' (a number, a column or number*column)");
            }
            double sign = "-".equals(m.group(1)) ? -1 : 1;
            if (m.group(2) != null) {
                terms.add(new Term(sign * Double.parseDouble(m.group(2)), m.group(3)));
            } else {
                terms.add(new Term(sign * (m.group(5) == null ? 1 : Double.parseDouble(m.group(5))), m.group(4)));
            }
            at = m.end();
        }
        if (terms.isEmpty()) {
            throw new IllegalArgumentException("the expression is empty");
        }
        return new LinearExpression(terms);
    }

    /** The columns the expression reads. */
    List<String> columns() {
        return terms.stream().map(Term::column).filter(c -> c != null).distinct().toList();
    }

    /** The value for one row; {@code row} maps each of {@link #columns()} to its value. */
    double evaluate(Map<String, Double> row) {
        double sum = 0;
        for (Term t : terms) {
            sum += t.column == null ? t.coefficient : t.coefficient * row.get(t.column);
        }
        return sum;
    }
}
