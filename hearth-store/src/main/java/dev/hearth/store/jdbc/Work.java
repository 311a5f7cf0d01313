package dev.hearth.store.jdbc;

import java.sql.SQLException;

/**
 * A piece of database work run on one {@link Session}. It must touch nothing but the database, because the SQLite
 * writer may run it again after rolling back a batch that another write in it spoiled.
 */
@FunctionalInterface
public interface Work<T> {

    T run(Session session) throws SQLException;
}
