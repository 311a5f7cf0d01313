package dev.hearth.store.jdbc;

import dev.hearth.budgets.Budget;
import dev.hearth.budgets.BudgetPeriod;
import dev.hearth.metering.Money;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/** SQL for the budgets table. The global budget's scope is {@code *}, which no function name can be. */
final class BudgetRows {

    private static final String GLOBAL = "*";
    private static final String LIST = "SELECT scope, period, limit_nanos, soft_nanos, webhook FROM budgets "
            + "ORDER BY scope, period";
    private static final String SAVE = "INSERT INTO budgets (scope, period, limit_nanos, soft_nanos, webhook) "
            + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, period) DO UPDATE SET limit_nanos = excluded.limit_nanos, "
            + "soft_nanos = excluded.soft_nanos, webhook = excluded.webhook";
    private static final String DELETE = "DELETE FROM budgets WHERE scope = ? AND period = ?";

    private BudgetRows() {
    }

    static List<Budget> list(Session s) throws SQLException {
        List<Budget> out = new ArrayList<>();
        try (ResultSet rs = s.prepare(LIST).executeQuery()) {
            while (rs.next()) {
                String scope = rs.getString(1);
                long soft = rs.getLong(4);
                Money softMoney = rs.wasNull() ? null : new Money(soft);
                out.add(new Budget(GLOBAL.equals(scope) ? null : scope, BudgetPeriod.fromWire(rs.getString(2)),
                        new Money(rs.getLong(3)), softMoney, rs.getString(5)));
            }
        }
        return out;
    }

    static void save(Session s, Budget b) throws SQLException {
        PreparedStatement ps = s.prepare(SAVE);
        ps.setString(1, b.function() == null ? GLOBAL : b.function());
        ps.setString(2, b.period().wire());
        ps.setLong(3, b.limit().nanos());
        if (b.soft() == null) {
            ps.setNull(4, Types.BIGINT);
        } else {
            ps.setLong(4, b.soft().nanos());
        }
        if (b.webhook() == null) {
            ps.setNull(5, Types.VARCHAR);
        } else {
            ps.setString(5, b.webhook());
        }
        ps.executeUpdate();
    }

    static boolean delete(Session s, String function, BudgetPeriod period) throws SQLException {
        PreparedStatement ps = s.prepare(DELETE);
        ps.setString(1, function == null ? GLOBAL : function);
        ps.setString(2, period.wire());
        return ps.executeUpdate() > 0;
    }
}
