package dev.watchdog.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shard count a replica leads under, so that it can be changed: a release's shard is its id's
 * hash modulo the count, so two replicas leading under two counts would each see a release in a
 * shard of their own, and both judge it. Each shard's lock key carries the count; a replica leads
 * nothing while a live replica holds a shard under another count (a rolling restart to a new count:
 * the replicas still on the old one keep leading until the last of them stops), and takes shards
 * only under the arbitration lock, so that two replicas starting under two counts do not both take.
 * Nothing of a release belongs to a shard: its state, incidents and effects stay where they are, and
 * the new count's leaders go on from them. Taking a shard under a new count retires the epochs of
 * the shards the new count no longer has, so that a leader of the old count frozen meanwhile can no
 * longer write.
 */
final class ShardCount {

    private static final Logger LOG = LoggerFactory.getLogger(ShardCount.class);
    /** The first half of every shard lock's key: "WDOG". */
    static final int LOCK_CLASS = 0x57444F47;
    /** Held while a replica looks for other counts and takes shards: "WSHD". */
    private static final int ARBITER = 0x57534844;
    /** The most shards a count can have: the count and the shard share the second half of a lock key. */
    static final int MAX = 0x7fff;

    private ShardCount() {}

    /** The second half of a shard's lock key under {@code shards}; before counts were kept, it was the shard alone. */
    static int key(int shards, int shard) {
        return (shards << 16) | shard;
    }

    /** Holds the arbitration lock on the leadership session until {@link #release}. */
    static void arbitrate(Connection c) throws SQLException {
        Sessions.bool(c, "select pg_advisory_lock(" + ARBITER + ", 0) is null");
    }

    static void release(Connection c) throws SQLException {
        Sessions.bool(c, "select pg_advisory_unlock(" + ARBITER + ", 0)");
    }

    /**
     * Whether another replica leads a shard under another count. One that does and is no longer live
     * (frozen, cut off) has its sessions ended, which frees its locks for a later round.
     */
    static boolean otherLeads(Connection c, int shards, String replica, Set<String> live) throws SQLException {
        Set<String> others = new HashSet<>();
        try (PreparedStatement st = c.prepareStatement("select a.application_name, k.objid from pg_locks k"
                + " join pg_stat_activity a on a.pid = k.pid where k.locktype = 'advisory' and k.classid = ?"
                + " and k.objsubid = 2 and k.granted and k.pid <> pg_backend_pid()")) {
            st.setInt(1, LOCK_CLASS);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    if ((rs.getLong(2) >>> 16) != shards) {
                        others.add(holder(rs.getString(1)));
                    }
                }
            }
        }
        for (String other : others) {
            if (!other.equals(replica) && !live.contains(other)) {
                LOG.warn("ending the sessions of a silent leader of another shard count holder={}", other);
                Sessions.endAll(c, other);
            }
        }
        return !others.isEmpty();
    }

    /** The epochs of the shards beyond {@code shards} end: no leader of an earlier, larger count writes again. */
    static void retireBeyond(Connection c, int shards) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("update leadership set epoch = epoch + 1, holder = ''"
                + " where shard >= ? and holder <> ''")) {
            st.setInt(1, shards);
            st.executeUpdate();
        }
    }

    /** The replica a leadership session belongs to, from its application name ("watchdog NAME leadership"). */
    private static String holder(String applicationName) {
        String prefix = "watchdog ";
        String suffix = " leadership";
        return applicationName.startsWith(prefix) && applicationName.endsWith(suffix)
                ? applicationName.substring(prefix.length(), applicationName.length() - suffix.length()) : applicationName;
    }
}
