package dev.watchdog.api;

import dev.watchdog.config.Limits;
import dev.watchdog.testing.Poll;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The listener's limits over real sockets on loopback: half-sent requests, idle connections, too many. */
class ListenerTest {

    Vertx vertx;
    Listener listener;
    final List<SocketChannel> opened = new ArrayList<>();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        listener = Listener.start(vertx, "server.limits", "127.0.0.1", 0,
                new Limits(Duration.ofMillis(500), Duration.ofMillis(800), 20), null, Path.of("."),
                request -> request.response().end("ok")).await();
    }

    @AfterEach
    void stop() throws IOException {
        for (SocketChannel c : opened) {
            c.close();
        }
        vertx.close().await();
    }

    SocketChannel open(String sent) {
        try {
            SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", listener.port()));
            c.write(ByteBuffer.wrap(sent.getBytes(StandardCharsets.US_ASCII)));
            c.configureBlocking(false);
            opened.add(c);
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What came back so far; null once the server has closed the connection. */
    static String read(SocketChannel c) {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        try {
            int n = c.read(buffer);
            return n < 0 ? null : new String(buffer.array(), 0, n, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null;
        }
    }

    static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    @Test
    @DisplayName("a connection that never finishes its headers is closed after the header timeout; one that sent nothing too")
    void halfSent() {
        SocketChannel half = open("GET / HTTP/1.1\r\nHost: x\r\n");
        SocketChannel silent = open("");
        Poll.until(Duration.ofSeconds(5), "both to be closed", () -> read(half) == null && read(silent) == null);
    }

    @Test
    @DisplayName("a keep-alive connection is answered, then closed once idle; a body that never comes is cut too")
    void idleAndBody() {
        SocketChannel kept = open(GET);
        StringBuilder got = new StringBuilder();
        Poll.until(Duration.ofSeconds(5), "the answer", () -> {
            String s = read(kept);
            got.append(s == null ? "" : s);
            return got.toString().startsWith("HTTP/1.1 200");
        });
        SocketChannel body = open("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
        Poll.until(Duration.ofSeconds(5), "both to be closed", () -> read(kept) == null && read(body) == null);
    }

    @Test
    @DisplayName("past maxConnections a new connection is closed at once; once the held ones time out, it is served again")
    void tooMany() {
        for (int i = 0; i < 20; i++) {
            open("");
        }
        Poll.until(Duration.ofSeconds(2), "the 21st to be closed unanswered", () -> read(open(GET)) == null);
        Poll.until(Duration.ofSeconds(5), "the held ones to time out", () -> opened.subList(0, 20).stream()
                .allMatch(c -> read(c) == null));
        SocketChannel served = open(GET);
        Poll.until(Duration.ofSeconds(2), "the answer", () -> {
            String s = read(served);
            return s != null && s.startsWith("HTTP/1.1 200");
        });
    }
}
