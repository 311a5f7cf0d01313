/**
 * What the SQLite and PostgreSQL stores share: the schema, the SQL, the row mapping and the store operations
 * ({@link dev.hearth.store.jdbc.JdbcStore}). The two stores differ only in how they run reads and writes. The types
 * here are public only because the stores live in sibling packages; they are not an API for other modules.
 */
package dev.hearth.store.jdbc;
