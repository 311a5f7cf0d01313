package dev.hearth.store;

import dev.hearth.store.jdbc.JdbcStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A store contract's lifecycle: each test gets an empty store of the subclass's kind, closed after it. */
public abstract class EmptyStorePerTest {

    protected JdbcStore store;

    /** Opens an empty store; called before each test. */
    protected abstract JdbcStore openStore() throws Exception;

    @BeforeEach
    void openEmptyStore() throws Exception {
        store = openStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }
}
