package dev.kcwarden.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A database of a test's own on the local PostgreSQL (127.0.0.1:5432, user {@code postgres}, trust auth), created with
 * a random name and dropped by {@link #drop()}, or by a shutdown hook when the test JVM ends before that.
 */
public final class PostgresDatabase {

    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";

    private final String name;
    private final Thread dropAtExit;
    private boolean dropped;

    private PostgresDatabase(String name) {
        this.name = name;
        this.dropAtExit = new Thread(this::dropQuietly, "drop-" + name);
    }

    /** Creates {@code <prefix>_<random hex>}. */
    public static PostgresDatabase create(String prefix) throws SQLException {
        PostgresDatabase db = new PostgresDatabase(prefix + "_" + Long.toHexString(System.nanoTime()));
        sql("CREATE DATABASE " + db.name);
        Runtime.getRuntime().addShutdownHook(db.dropAtExit);
        return db;
    }

    public String name() {
        return name;
    }

    /** What Keycloak's {@code --db-url} takes. */
    public String jdbcUrl() {
        return SERVER + name;
    }

    /** Drops the database, ending connections that a killed node left behind. */
    public synchronized void drop() throws SQLException {
        if (dropped) {
            return;
        }
        sql("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        dropped = true;
        try {
            Runtime.getRuntime().removeShutdownHook(dropAtExit);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: this is the hook
        }
    }

    private void dropQuietly() {
        try {
            drop();
        } catch (SQLException e) {
            System.err.println("could not drop test database " + name + ": " + e.getMessage());
        }
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
