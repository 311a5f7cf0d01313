package dev.hearth.store.sqlite;

import dev.hearth.store.SecretStoreContract;
import dev.hearth.store.jdbc.JdbcStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteSecretStoreTest extends SecretStoreContract {

    @TempDir
    Path dir;

    @Override
    protected JdbcStore openStore() {
        return SqliteStore.open(dir);
    }
}
