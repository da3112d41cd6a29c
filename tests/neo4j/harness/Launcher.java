// Starts an in-process Neo4j (the official test harness) on a loopback Bolt port for the test
// suite and the benchmark, prints one ready line, and stops on SIGTERM or when stdin closes.
//
// Usage: java -cp "$(cat target/classpath.txt)" Launcher.java [PORT]
//   PORT 0 (default) picks a free port; the ready line names the one in use:
//     FINFLOW-NEO4J-READY bolt://127.0.0.1:PORT 5.26.x
// Environment:
//   NEO4J_PASSWORD      when set, authentication is enabled and user "neo4j" gets this password
//   FINFLOW_IMPORT_DIR  when set, LOAD CSV may read file:/// URLs from this directory
//   FINFLOW_PAGECACHE   page cache size, e.g. 512m (default: Neo4j's own choice)
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilder;
import org.neo4j.harness.Neo4jBuilders;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.Version;

public class Launcher {
    public static void main(String[] args) throws Exception {
        Logger.getLogger("").setLevel(Level.WARNING);
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        String password = System.getenv("NEO4J_PASSWORD");
        String importDir = System.getenv("FINFLOW_IMPORT_DIR");
        String pageCache = System.getenv("FINFLOW_PAGECACHE");
        boolean auth = password != null && !password.isEmpty();

        Neo4jBuilder builder = Neo4jBuilders.newInProcessBuilder()
                .withDisabledServer()
                .withConfig(HttpConnector.enabled, false)
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .withConfig(GraphDatabaseSettings.auth_enabled, auth);
        if (importDir != null && !importDir.isEmpty()) {
            builder = builder
                    .withConfig(GraphDatabaseSettings.allow_file_urls, true)
                    .withConfig(GraphDatabaseSettings.load_csv_file_url_root, Path.of(importDir));
        }
        if (pageCache != null && !pageCache.isEmpty()) {
            builder = builder.withConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pageCache));
        }
        Neo4j neo4j = builder.build();
        if (auth) {
            try {
                neo4j.databaseManagementService()
                        .database("system")
                        .executeTransactionally(
                                "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED",
                                java.util.Map.of("pw", password));
            } catch (RuntimeException e) {
                System.err.println("FINFLOW-NEO4J-FAILED cannot set the password: " + e.getMessage());
                neo4j.close();
                System.exit(2);
            }
        }

        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            neo4j.close();
        }));
        Thread stdinWatch = new Thread(() -> {
            try {
                InputStream in = System.in;
                while (in.read() != -1) {
                    // ignore input; end of stream means the parent went away
                }
            } catch (Exception ignored) {
                // treat a broken stdin like a closed one
            }
            System.exit(0);
        });
        stdinWatch.setDaemon(true);
        stdinWatch.start();

        System.out.println("FINFLOW-NEO4J-READY " + neo4j.boltURI() + " " + Version.getNeo4jVersion());
        System.out.flush();
        stop.await();
    }
}
