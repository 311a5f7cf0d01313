package dev.hearth.store.sqlite;

import dev.hearth.store.AlertStoreContract;
import dev.hearth.store.jdbc.JdbcStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteAlertStoreTest extends AlertStoreContract {

    @TempDir
    Path dir;

    @Override
    protected JdbcStore openStore() {
        return SqliteStore.open(dir);
    }
}
