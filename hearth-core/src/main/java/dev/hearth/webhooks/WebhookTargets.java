package dev.hearth.webhooks;

import dev.hearth.errors.HearthException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where webhooks may go. A webhook URL is given by whoever submits a job or sets a budget, and the server then sends
 * requests to it from inside the network it runs in; so by default addresses that are not public (loopback,
 * link-local such as cloud metadata at 169.254.169.254, private and unique-local ranges, carrier-grade NAT, any-local,
 * multicast) are refused, unless the operator opens a range with {@code --webhook-allow CIDR,...}. A URL is checked
 * when it is given (scheme, host, length, and its address when it is an IP literal) and the addresses its host
 * resolves to are checked again before each delivery (the caller resolves; this class does no I/O). Redirects are
 * never followed by the senders.
 */
public final class WebhookTargets {

    /** The longest webhook URL accepted. */
    public static final int MAX_URL_LENGTH = 2048;

    private final List<Cidr> allowed;

    private WebhookTargets(List<Cidr> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** Refuses every non-public address except those in {@code cidrs} ({@code 10.0.0.0/8}, {@code ::1/128}, ...). */
    public static WebhookTargets allowing(List<String> cidrs) {
        List<Cidr> parsed = new ArrayList<>();
        for (String c : cidrs) {
            if (!c.isBlank()) {
                parsed.add(Cidr.parse(c.trim()));
            }
        }
        return new WebhookTargets(parsed);
    }

    /**
     * Checks a webhook URL as given by a client: an absolute http(s) URL with a host, at most
     * {@value #MAX_URL_LENGTH} characters, and not an IP literal of a refused address.
     *
     * @param field names the field in the error ("webhook")
     */
    public URI check(String url, String field) {
        if (url.length() > MAX_URL_LENGTH) {
            throw new HearthException.BadRequest("'" + field + "' is " + url.length() + " characters long; at most "
                    + MAX_URL_LENGTH + " are accepted");
        }
        URI u;
        try {
            u = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new HearthException.BadRequest("'" + field + "' must be an http(s) URL, got '" + url + "'");
        }
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
            throw new HearthException.BadRequest("'" + field + "' must be an http(s) URL, got '" + url + "'");
        }
        literal(u.getHost()).flatMap(a -> refusal(List.of(a))).ifPresent(why -> {
            throw new HearthException.BadRequest("'" + field + "' " + why);
        });
        return u;
    }

    /** Looks up a host's addresses (the caller's DNS; this class does no I/O). */
    @FunctionalInterface
    public interface Resolver {
        List<InetAddress> resolve(String host) throws java.net.UnknownHostException;
    }

    /** The JDK's resolver: what a delivery is about to connect to. */
    public static final Resolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    /**
     * Why a delivery to {@code url} is refused now, by the addresses its host resolves to right before sending; a host
     * that does not resolve is left to the send, which reports it.
     */
    public Optional<String> refusal(URI url, Resolver resolver) {
        try {
            return refusal(resolver.resolve(url.getHost()));
        } catch (java.net.UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** Why a delivery to these resolved addresses is refused, or empty when every one may be reached. */
    public Optional<String> refusal(List<InetAddress> resolved) {
        for (InetAddress a : resolved) {
            if (internal(a) && allowed.stream().noneMatch(c -> c.contains(a))) {
                return Optional.of("points at " + a.getHostAddress() + ", a " + kind(a) + " address, which webhooks "
                        + "may not reach unless the server is started with --webhook-allow covering it");
            }
        }
        return Optional.empty();
    }

    private static Optional<InetAddress> literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            return Optional.of(InetAddress.ofLiteral(h));
        } catch (IllegalArgumentException notALiteral) {
            return Optional.empty();
        }
    }

    static boolean internal(InetAddress a) {
        return !kind(a).equals("public");
    }

    private static String kind(InetAddress a) {
        if (a instanceof Inet6Address v6 && v6.getAddress()[0] == 0 && isMappedV4(v6.getAddress())) {
            byte[] b = v6.getAddress();
            try {
                return kind(InetAddress.getByAddress(new byte[]{b[12], b[13], b[14], b[15]}));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        if (a.isLoopbackAddress()) {
            return "loopback";
        }
        if (a.isLinkLocalAddress()) {
            return "link-local";
        }
        if (a.isSiteLocalAddress()) {
            return "private";
        }
        if (a.isAnyLocalAddress()) {
            return "any-local";
        }
        if (a.isMulticastAddress()) {
            return "multicast";
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address && (b[0] & 0xfe) == 0xfc) {
            return "unique-local";
        }
        if (a instanceof Inet4Address && ((b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64 || (b[0] & 0xff) == 0)) {
            return "carrier-grade NAT or reserved";
        }
        return "public";
    }

    private static boolean isMappedV4(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    /** An address range such as {@code 10.0.0.0/8}; a bare address is its own range. */
    record Cidr(byte[] network, int prefix) {

        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            String addr = slash < 0 ? text : text.substring(0, slash);
            InetAddress a;
            try {
                a = InetAddress.ofLiteral(addr);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--webhook-allow takes address ranges such as 10.0.0.0/8 or "
                        + "::1/128, got '" + text + "'");
            }
            int bits = a.getAddress().length * 8;
            int prefix;
            try {
                prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("the prefix of '" + text + "' must be 0 to " + bits);
            }
            return new Cidr(a.getAddress(), prefix);
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >> (bit % 8);
                if ((b[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
