package dev.hearth.envs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.functions.ManifestException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Requirements are normalized before they are hashed, so that the same environment written twice is one. */
class RequirementsTest {

    @Test
    void commentsBlankLinesCaseSeparatorsSpacesOrderAndDuplicatesDoNotMatter() {
        List<String> a = Requirements.normalize(List.of("# deps", "Foo_Bar == 1.0  # pinned", "", "numpy>=1.26",
                "foo-bar==1.0"), "r");
        List<String> b = Requirements.normalize(List.of("numpy >= 1.26", "foo.bar==1.0"), "r");

        assertThat(a).containsExactly("foo-bar==1.0", "numpy>=1.26").isEqualTo(b);
    }

    @Test
    void markersKeepTheSpacesTheirOperatorsNeed() {
        assertThat(Requirements.normalize(List.of("pywin32 >= 300 ;  sys_platform == 'win32'  and  python_version "
                + ">= '3.8'"), "r")).containsExactly("pywin32>=300; sys_platform == 'win32' and python_version >= "
                + "'3.8'");
    }

    @Test
    void optionLinesComeFirstInTheirOrder() {
        assertThat(Requirements.normalize(List.of("b", "--extra-index-url https://example.org/simple", "a",
                "--prefer-binary"), "r")).containsExactly("--extra-index-url https://example.org/simple",
                "--prefer-binary", "a", "b");
    }

    @Test
    void linesThatIncludeOtherFilesAreRefused() {
        for (String line : List.of("-r base.txt", "--requirement=base.txt", "-c constraints.txt", "-e ./pkg")) {
            assertThatThrownBy(() -> Requirements.normalize(List.of(line), "python.requirements"))
                    .isInstanceOf(ManifestException.class).hasMessageContaining("python.requirements")
                    .hasMessageContaining(line);
        }
    }

    @Test
    void theHashChangesWithEachPartOfTheKey() {
        EnvKey key = new EnvKey("/usr/bin/python3.11", "3.11", List.of("a==1"), false);

        assertThat(key.hash()).hasSize(16).isEqualTo(new EnvKey("/usr/bin/python3.11", "3.11", List.of("a==1"),
                false).hash());
        assertThat(List.of(new EnvKey("/usr/bin/python3.12", "3.11", List.of("a==1"), false).hash(),
                new EnvKey("/usr/bin/python3.11", "3.12", List.of("a==1"), false).hash(),
                new EnvKey("/usr/bin/python3.11", "3.11", List.of("a==2"), false).hash(),
                new EnvKey("/usr/bin/python3.11", "3.11", List.of("a==1"), true).hash()))
                .doesNotContain(key.hash()).doesNotHaveDuplicates();
    }
}
