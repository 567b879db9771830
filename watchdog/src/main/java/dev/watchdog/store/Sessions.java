package dev.watchdog.store;

import dev.watchdog.config.WatchdogConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * The database sessions of leadership: the dedicated one a replica holds its shards' locks on (named
 * after the replica, with short timeouts so that a lost database is noticed within a lease), and
 * ending every session of a replica that went silent.
 */
final class Sessions {

    private Sessions() {}

    /** A replica's leadership session. */
    static Connection open(WatchdogConfig.Postgres config, String replica, Duration lease) throws SQLException {
        Properties props = new Properties();
        if (config.user() != null) {
            props.setProperty("user", config.user());
        }
        if (config.password() != null) {
            props.setProperty("password", config.password().value());
        }
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", String.valueOf(Math.max(2, lease.toSeconds())));
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", applicationName(replica));
        props.setProperty("options", "-c lock_timeout=" + Math.max(500, lease.toMillis() / 4));
        return DriverManager.getConnection(config.url(), props);
    }

    /** How a replica's leadership session is named in pg_stat_activity. */
    static String applicationName(String replica) {
        return "watchdog " + replica + " leadership";
    }

    /** Ends every session of {@code replica}: its leadership session and its pool's. */
    static void endAll(Connection c, String replica) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select pg_terminate_backend(pid) from pg_stat_activity"
                + " where application_name in (?, ?) and pid <> pg_backend_pid()")) {
            st.setString(1, PostgresStore.applicationName(replica));
            st.setString(2, applicationName(replica));
            st.executeQuery().close();
        }
    }

    static boolean bool(Connection c, String sql) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    static void execute(Connection c, String sql, String param) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, param);
            st.executeUpdate();
        }
    }
}
