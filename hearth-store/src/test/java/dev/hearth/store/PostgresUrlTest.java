package dev.hearth.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresUrlTest {

    @Test
    void libpqFormBecomesADriverUrlWithTheCredentialsAsProperties() {
        PostgresUrl url = PostgresUrl.parse("postgresql://hearth:s%40cret@db.internal:5433/prod?sslmode=require",
                "--store");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/prod");
        assertThat(url.schema()).isEqualTo("hearth");
        assertThat(url.properties()).containsEntry("user", "hearth").containsEntry("password", "s@cret")
                .containsEntry("sslmode", "require");
    }

    @Test
    void theSchemaParameterChoosesTheSchema() {
        assertThat(PostgresUrl.parse("postgres://root@127.0.0.1/test?schema=team_a", "--store").schema())
                .isEqualTo("team_a");
    }

    @Test
    void commitsWaitForTheLogFlushOnlyWhenAsked() {
        assertThat(PostgresUrl.parse("postgresql://h/db", "--store").flushEachCommit()).isFalse();
        assertThat(PostgresUrl.parse("postgresql://h/db?synchronous_commit=on", "--store").flushEachCommit()).isTrue();
        assertThat(PostgresUrl.parse("postgresql://h/db?synchronous_commit=on", "--store").properties())
                .doesNotContainKey("synchronous_commit");
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://h/db?synchronous_commit=local", "--store"))
                .hasMessage("--store: synchronous_commit must be on or off, got 'local'");
    }

    @Test
    void messagesNeverShowThePassword() {
        assertThat(PostgresUrl.parse("postgresql://u:topsecret@h/db", "--store").toString())
                .isEqualTo("postgresql://u:***@h/db");
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://u:topsecret@h/", "--store"))
                .hasMessageContaining("--store must name a host and a database")
                .hasMessageNotContaining("topsecret");
    }

    @Test
    void somethingElseIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> PostgresUrl.parse("mysql://h/db", "--store"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--store must be a URL like postgresql://user@host:5432/database, got 'mysql://h/db'");
    }
}
