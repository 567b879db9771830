package dev.watchdog.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;

/**
 * Handles a POSIX signal (TERM, INT, HUP) with the JDK's own signal API, reached by reflection:
 * it lives in jdk.unsupported, which the compiler warns about. Handling TERM ourselves, rather than
 * in a shutdown hook, lets an orderly stop end with exit code 0 and with logging still working.
 */
final class Signals {

    private Signals() {}

    /** Runs {@code action} on the signal's own thread whenever the signal arrives; false if it cannot. */
    static boolean on(String name, Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            InvocationHandler invoked = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    action.run();
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "signal handler " + name;
            };
            Object proxy = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler}, invoked);
            signal.getMethod("handle", signal, handler).invoke(null, signal.getConstructor(String.class).newInstance(name),
                    proxy);
            return true;
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
