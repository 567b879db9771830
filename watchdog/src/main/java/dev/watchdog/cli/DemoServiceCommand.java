package dev.watchdog.cli;

import dev.watchdog.demo.DemoService;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code watchdog demo-service}: the stand-in service of the demo (hidden from help). */
@Command(name = "demo-service", hidden = true,
        description = "Serve a demo service's metrics and take rollback webhooks (for the demo).",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"64:usage error", "70:internal error"})
final class DemoServiceCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @Option(names = "--listen", defaultValue = "127.0.0.1:9101", description = "HOST:PORT (default ${DEFAULT-VALUE}).")
    String listen;

    @Override
    public Integer call() throws InterruptedException {
        Vertx vertx = Vertx.vertx();
        int colon = listen.lastIndexOf(':');
        new DemoService(vertx, body -> System.out.println("demo-service: rollback webhook received: " + body))
                .start(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1))).await();
        System.out.println("demo-service: listening on " + listen);
        new CountDownLatch(1).await();
        return 0;
    }
}
