package io.dbprovision.apiserver.provisioning;

import java.util.regex.Pattern;

/**
 * Where an external provisioner listens ({@code --provisioner-address}): a DNS name, an IPv4 address or a bracketed
 * IPv6 address, and a port. Checked when the flag is read, so a typo stops the server at start instead of failing
 * every reconcile later. The host is also the name the provisioner's serving certificate must carry.
 */
public record ProvisionerAddress(String host, int port) {
    /** A DNS name (labels of letters, digits and inner hyphens) or a dotted IPv4 address, at most 253 characters. */
    private static final Pattern NAME =
            Pattern.compile("(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}"
                    + "[A-Za-z0-9])?)*\\.?");
    /** The characters of an IPv6 literal; its shape is then checked by the JDK's parser. */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    public ProvisionerAddress {
        if (host == null || !(NAME.matcher(host).matches() || isIpv6(host))) {
            throw new IllegalArgumentException("the provisioner's host must be a DNS name or an IP address");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("the provisioner's port must be 1 to 65535");
        }
    }

    /** The loopback address a provisioner inside this server listens on. */
    public static ProvisionerAddress loopback(int port) {
        return new ProvisionerAddress("127.0.0.1", port);
    }

    /**
     * Reads {@code host:port} or {@code [ipv6]:port}. The message of a refusal shows the text only when it is short
     * and printable, so a hostile value cannot write control characters to the terminal or the log.
     */
    public static ProvisionerAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("--provisioner-address must be host:port");
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw refused(text, "an IPv6 address is written [address]:port");
            }
            host = text.substring(1, close);
            if (!isIpv6(host)) {
                throw refused(text, "the part in brackets is not an IPv6 address");
            }
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw refused(text, "the port is missing (host:port)");
            }
            host = text.substring(0, colon);
            if (host.contains(":")) {
                throw refused(text, "an IPv6 address is written [address]:port");
            }
            port = text.substring(colon + 1);
        }
        if (!port.matches("[0-9]{1,5}")) {
            throw refused(text, "the port must be a number from 1 to 65535");
        }
        try {
            return new ProvisionerAddress(host, Integer.parseInt(port));
        } catch (IllegalArgumentException e) {
            throw refused(text, e.getMessage());
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static boolean isIpv6(String host) {
        if (!host.contains(":") || !IPV6.matcher(host).matches()) {
            return false;
        }
        try {
            // A literal with a colon is parsed, never looked up.
            return java.net.InetAddress.getByName("[" + host + "]") instanceof java.net.Inet6Address;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static IllegalArgumentException refused(String text, String why) {
        boolean showable = text.length() <= 100 && text.chars().allMatch(c -> c > 0x20 && c < 0x7f);
        return new IllegalArgumentException(
                "--provisioner-address" + (showable ? " '" + text + "'" : "") + " is not host:port: " + why);
    }
}
