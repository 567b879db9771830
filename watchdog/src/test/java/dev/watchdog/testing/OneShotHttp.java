package dev.watchdog.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 request on a connection of its own ({@code Connection: close}), read to the end, and
 * told apart exactly as a client experiences it: a complete answer, a refused connection, or a
 * connection cut (before any byte of an answer, or in the middle of one).
 */
public final class OneShotHttp {

    private OneShotHttp() {}

    /** How a request ended for its client. */
    public enum Ending { ANSWERED, REFUSED, CUT_BEFORE_ANSWER, CUT_MID_ANSWER }

    /** What the client got: how it ended, and the status and body of a complete answer. */
    public record Outcome(Ending ending, int status, String body, String detail) {}

    public static Outcome send(int port, String method, String path, String token, String body) {
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + (body == null ? "" : "Content-Type: application/json\r\n")
                + "Content-Length: " + payload.length + "\r\n\r\n";
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            } catch (ConnectException e) {
                return new Outcome(Ending.REFUSED, 0, "", e.getMessage());
            }
            socket.setSoTimeout(120_000);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                OutputStream out = socket.getOutputStream();
                out.write(head.getBytes(StandardCharsets.UTF_8));
                out.write(payload);
                out.flush();
                InputStream in = socket.getInputStream();
                in.transferTo(got);
            } catch (IOException e) {
                return cut(got, e.toString());
            }
            return parse(got.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Outcome(Ending.CUT_BEFORE_ANSWER, 0, "", e.toString());
        }
    }

    private static Outcome cut(ByteArrayOutputStream got, String why) {
        return new Outcome(got.size() == 0 ? Ending.CUT_BEFORE_ANSWER : Ending.CUT_MID_ANSWER, 0,
                got.toString(StandardCharsets.UTF_8), why);
    }

    /** Complete: a status line, headers, and as many body bytes as Content-Length says. */
    private static Outcome parse(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (text.isEmpty()) {
            return new Outcome(Ending.CUT_BEFORE_ANSWER, 0, "", "closed without a byte");
        }
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            return new Outcome(Ending.CUT_MID_ANSWER, 0, text, "no complete head");
        }
        int status = Integer.parseInt(text.substring(9, 12));
        String headers = text.substring(0, end).toLowerCase(Locale.ROOT);
        String body = text.substring(end + 4);
        int at = headers.indexOf("content-length:");
        if (at >= 0) {
            int length = Integer.parseInt(headers.substring(at + 15, headers.indexOf("\r\n", at) < 0 ? headers.length()
                    : headers.indexOf("\r\n", at)).trim());
            if (body.getBytes(StandardCharsets.UTF_8).length != length) {
                return new Outcome(Ending.CUT_MID_ANSWER, status, body, "body shorter than Content-Length");
            }
        } else if (headers.contains("transfer-encoding: chunked") && !body.endsWith("0\r\n\r\n")) {
            return new Outcome(Ending.CUT_MID_ANSWER, status, body, "chunked body without its last chunk");
        }
        return new Outcome(Ending.ANSWERED, status, body, "");
    }
}
