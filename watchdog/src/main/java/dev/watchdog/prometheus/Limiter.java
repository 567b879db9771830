package dev.watchdog.prometheus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.function.Supplier;

/** Runs at most {@code max} tasks at once and queues the rest. Used from one event-loop context. */
final class Limiter {

    private final int max;
    private final Queue<Runnable> waiting = new ArrayDeque<>();
    private int running;

    Limiter(int max) {
        this.max = max;
    }

    <T> Future<T> submit(Supplier<Future<T>> task) {
        // A promise is needed here: the task must not start until a slot is free.
        Promise<T> result = Promise.promise();
        Runnable start = () -> {
            running++;
            task.get().onComplete(ar -> {
                running--;
                result.handle(ar);
                Runnable next = waiting.poll();
                if (next != null) {
                    next.run();
                }
            });
        };
        if (running < max) {
            start.run();
        } else {
            waiting.add(start);
        }
        return result.future();
    }
}
