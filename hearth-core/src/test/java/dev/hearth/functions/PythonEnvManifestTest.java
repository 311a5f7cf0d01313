package dev.hearth.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The manifest's {@code python:} block: the function's own environment. */
class PythonEnvManifestTest {

    private static FunctionManifest parse(String extra) {
        return ManifestParser.parse("name: a\nhandler: h.py:f\n" + extra);
    }

    @Test
    void withoutAPythonBlockAFunctionHasNoEnvironmentOfItsOwn() {
        assertThat(parse("").python()).isNull();
    }

    @Test
    void aRequirementsFileAVersionAndSystemSitePackagesAreRead() {
        PythonEnv p = parse("python:\n  version: \"3.11\"\n  requirements: deps/requirements.txt\n"
                + "  systemSitePackages: true\n").python();

        assertThat(p).isEqualTo(new PythonEnv("3.11", "deps/requirements.txt", List.of(), true));
        assertThat(p.interpreterCommand()).isEqualTo("python3.11");
    }

    @Test
    void requirementsMayBeListedInTheManifest() {
        PythonEnv p = parse("python:\n  requirements: [numpy==1.26.4, requests]\n").python();

        assertThat(p).isEqualTo(new PythonEnv(null, null, List.of("numpy==1.26.4", "requests"), false));
        assertThat(p.interpreterCommand()).isNull();
    }

    @Test
    void aCommandFunctionMayHaveAnEnvironmentToo() {
        FunctionManifest m = ManifestParser.parse("name: a\ncommand: [sh, run.sh]\npython: {requirements: [x]}\n");

        assertThat(m.python().requirements()).containsExactly("x");
    }

    @Test
    void anUnquotedVersionIsRefusedSinceYamlReadsThreePointTenAsThreePointOne() {
        assertThatThrownBy(() -> parse("python: {version: 3.10}\n"))
                .isInstanceOf(ManifestException.class).hasMessageContaining("'python.version' must be quoted");
    }

    @Test
    void badValuesNameTheirField() {
        assertThatThrownBy(() -> parse("python: {version: \"three\"}\n")).hasMessageContaining("'python.version'");
        assertThatThrownBy(() -> parse("python: {requirements: ../outside.txt}\n"))
                .hasMessageContaining("'python.requirements' must be a file in the function's directory");
        assertThatThrownBy(() -> parse("python: {requirements: [\"-r other.txt\"]}\n"))
                .hasMessageContaining("includes another file");
        assertThatThrownBy(() -> parse("python: {systemSitePackages: yes please}\n"))
                .hasMessageContaining("'python.systemSitePackages' must be true or false");
        assertThatThrownBy(() -> parse("python: {packages: [x]}\n")).hasMessageContaining("python.packages");
        assertThatThrownBy(() -> parse("python: requirements.txt\n")).hasMessageContaining("'python' must be a "
                + "mapping");
    }
}
