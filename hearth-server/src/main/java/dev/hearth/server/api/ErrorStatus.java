package dev.hearth.server.api;

import dev.hearth.errors.HearthException;

/**
 * The HTTP status and problem title of each kind of {@link HearthException}: core names the kind of failure, the API
 * layer decides what it is on the wire. The switch is exhaustive over the sealed hierarchy, so a new kind does not
 * compile until it has a status here.
 */
record ErrorStatus(int status, String title) {

    static ErrorStatus of(HearthException e) {
        return switch (e) {
            case HearthException.BadRequest b -> new ErrorStatus(400, "Bad Request");
            case HearthException.Unauthorized u -> new ErrorStatus(401, "Unauthorized");
            case HearthException.PaymentRequired p -> new ErrorStatus(402, "Budget Exceeded");
            case HearthException.NotFound n -> new ErrorStatus(404, "Not Found");
            case HearthException.Conflict c -> new ErrorStatus(409, "Conflict");
            case HearthException.PayloadTooLarge p -> new ErrorStatus(413, "Payload Too Large");
            case HearthException.Unprocessable u -> new ErrorStatus(422, "Unprocessable Content");
            case HearthException.Unavailable u -> new ErrorStatus(503, "Service Unavailable");
            case HearthException.InsufficientStorage i -> new ErrorStatus(507, "Insufficient Storage");
        };
    }
}
