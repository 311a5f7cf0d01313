package dev.hearth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.errors.HearthException;
import dev.hearth.functions.ManifestException;
import org.junit.jupiter.api.Test;

class ErrorStatusTest {

    @Test
    void eachKindOfFailureAnswersWithTheStatusItHadWhenCoreCarriedIt() {
        assertThat(ErrorStatus.of(new HearthException.BadRequest("x"))).isEqualTo(new ErrorStatus(400, "Bad Request"));
        assertThat(ErrorStatus.of(new HearthException.Unauthorized("x")))
                .isEqualTo(new ErrorStatus(401, "Unauthorized"));
        assertThat(ErrorStatus.of(new HearthException.PaymentRequired("x")))
                .isEqualTo(new ErrorStatus(402, "Budget Exceeded"));
        assertThat(ErrorStatus.of(new HearthException.NotFound("x"))).isEqualTo(new ErrorStatus(404, "Not Found"));
        assertThat(ErrorStatus.of(new HearthException.Conflict("x"))).isEqualTo(new ErrorStatus(409, "Conflict"));
        assertThat(ErrorStatus.of(new HearthException.PayloadTooLarge("x")))
                .isEqualTo(new ErrorStatus(413, "Payload Too Large"));
        assertThat(ErrorStatus.of(new HearthException.Unprocessable("x")))
                .isEqualTo(new ErrorStatus(422, "Unprocessable Content"));
        assertThat(ErrorStatus.of(new HearthException.Unavailable("x")))
                .isEqualTo(new ErrorStatus(503, "Service Unavailable"));
    }

    @Test
    void aFullDiskIsInsufficientStorage() {
        assertThat(ErrorStatus.of(new HearthException.InsufficientStorage("x")))
                .isEqualTo(new ErrorStatus(507, "Insufficient Storage"));
    }

    @Test
    void aSubclassOfBadRequestIsABadRequest() {
        assertThat(ErrorStatus.of(new ManifestException("timeout: too long")).status()).isEqualTo(400);
    }
}
