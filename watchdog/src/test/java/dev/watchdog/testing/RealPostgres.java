package dev.watchdog.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Debian's PostgreSQL as a throwaway cluster in a temporary folder, run as the {@code postgres}
 * user (root may not run the server) on loopback. The server is exec'd through setpriv, so the
 * process the test holds is the postmaster itself: it can be stopped, killed and started again.
 */
public final class RealPostgres {

    public static final String USER = "watchdog";
    public static final String PASSWORD = "watchdog-db-password-1";

    private final Path bin;
    private final Path data;
    private final Path log;
    private final int port;
    private RealProcess process;

    private RealPostgres(Path bin, Path data, Path log, int port) {
        this.bin = bin;
        this.data = data;
        this.log = log;
        this.port = port;
    }

    /** initdb in {@code dir}, start the server, create the database; returns once it accepts connections. */
    public static RealPostgres start(Path folder) {
        Path dir = folder.toAbsolutePath();
        try {
            Path bin = binaries();
            RealStack.deleteRecursively(dir);
            Files.createDirectories(dir);
            Path password = Files.writeString(dir.resolve("password"), PASSWORD);
            chownToPostgres(dir);
            run(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups",
                    bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER,
                    "--pwfile=" + password, "-A", "scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"),
                    dir.resolve("initdb.log"));
            RealPostgres pg = new RealPostgres(bin, dir.resolve("data"), dir.resolve("postgres.log"), RealProcess.freePort());
            pg.start();
            pg.sql("postgres", "create database watchdog");
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the server on its data folder (again, after a stop or a kill). */
    public RealPostgres start() {
        process = RealProcess.start(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups",
                bin.resolve("postgres").toString(), "-D", data.toString(), "-p", String.valueOf(port), "-k", data.toString(),
                "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200",
                // Fast and still safe against a killed server (the OS keeps what was written): the tests
                // kill the database, so a commit must be written before it is acknowledged.
                "-c", "fsync=off"), Map.of(), log);
        Poll.until(Duration.ofSeconds(30), "PostgreSQL to accept connections", this::accepts);
        return this;
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/watchdog";
    }

    /** The storage section of a watchdog.yml for this database. */
    public String storageConfig(int shards) {
        return "storage:\n  postgres: {url: \"" + url() + "\", user: " + USER + ", password: \"" + PASSWORD
                + "\", shards: " + shards + "}\n";
    }

    /** Fast shutdown, as an operator stops the database. */
    public void stop() {
        process.signal("INT");
        process.exitCode(30);
    }

    /** SIGKILL of the postmaster: the database is gone at once. */
    public void kill9() {
        process.kill9();
    }

    public void sql(String database, String statement) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, USER,
                PASSWORD); Statement st = c.createStatement()) {
            st.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), USER, PASSWORD);
    }

    private boolean accepts() {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER,
                PASSWORD)) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** The newest server under /usr/lib/postgresql, or initdb's folder on PATH. */
    static Path binaries() throws IOException {
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                List<Path> found = new ArrayList<>(versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb"))).toList());
                found.sort(Comparator.comparing(p -> Integer.parseInt(p.getParent().getFileName().toString().replaceAll("\\D", "0"))));
                if (!found.isEmpty()) {
                    return found.get(found.size() - 1);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Path.of(RealProcess.binary("initdb", "postgresql")).toRealPath().getParent();
    }

    private static void chownToPostgres(Path dir) throws IOException {
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                Files.setOwner(p, users.lookupPrincipalByName("postgres"));
            }
        }
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(p + " cannot be entered by the postgres user");
            }
        }
    }

    private static void run(List<String> command, Path log) {
        RealProcess p = RealProcess.start(command, Map.of(), log);
        int code = p.exitCode(60);
        if (code != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + code + ": " + p.log());
        }
    }
}
