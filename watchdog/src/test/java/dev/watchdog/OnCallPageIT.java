package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealChromium;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealStack;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The on-call page in a real headless Chromium, served by the built jar, which judges a demo service
 * through a real Prometheus: sign in, see a degraded release, acknowledge it with a reason, and find
 * who and why in the API. Screenshots of the run go to target/it/oncall-page/, or to the directory
 * named by {@code -Doncall.screenshots=../docs/images}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OnCallPageIT {

    static final Path DIR = Path.of("target", "it", "oncall-page");
    static final Path SHOTS = Path.of(System.getProperty("oncall.screenshots", DIR.toString()));
    static final String RULES = RealStack.errorRateRules("p1: \"> 0.01\"", "p0: \"> 0.05\"", "for: 1s");
    static final String LADDER = """
            receivers:
              release-manager: {webhook: {url: "%s"}, minInterval: 0s}
              cto: {webhook: {url: "%s"}, minInterval: 0s}
            escalation:
              default:
                levels: [{after: 0s, notify: [release-manager]}, {after: 15m, notify: [cto]}]
                repeat: 10m
            """;

    static RealStack stack;
    static RealDaemon daemon;
    static RealChromium chromium;

    @BeforeAll
    static void start() {
        stack = RealStack.start(DIR);
        chromium = RealChromium.start(DIR.resolve("chromium"));
        daemon = RealDaemon.start(DIR.resolve("daemon"), stack.prometheus.url(), stack.recorder.url("/rollback"), null,
                "1s", RULES, LADDER.formatted(stack.recorder.url("/rm"), stack.recorder.url("/cto")));
        stack.service.errorRatio(0.02);   // P1 (over 1 %), not P0 (over 5 %): the team decides
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.stop();
        }
        if (daemon != null) {
            daemon.stop();
        }
        if (stack != null) {
            stack.stop();
        }
    }

    @BeforeEach
    void signedOut() {
        chromium.driver.get(daemon.url() + "/");
        chromium.script("sessionStorage.clear()");
        chromium.driver.navigate().refresh();
        chromium.driver.manage().logs().get(LogType.BROWSER);   // drain what earlier tests left
    }

    @Test
    @Order(1)   // first, so that the screenshots show its releases only
    @DisplayName("on call signs in, sees the degraded release first, acknowledges it with a reason, and the API records who and why")
    void acknowledgeFromThePage() throws IOException {
        String id = degraded("1.4.0", "production");
        for (String version : List.of("2.8.0", "2.8.1")) {   // 2.8.1 supersedes 2.8.0: one watched, one ended
            daemon.register(new JsonObject().put("service", "web").put("version", version).put("environment", "production"));
        }
        signIn(RealDaemon.ONCALL_TOKEN);
        assertEquals(RealDaemon.ONCALL_TOKEN, chromium.script("return sessionStorage.getItem('watchdog.token')"));
        assertEquals(0L, chromium.script("return localStorage.length"));
        assertEquals("", chromium.script("return document.cookie"));

        WebElement first = chromium.await(Duration.ofSeconds(30), "the releases listed",
                d -> d.findElements(By.cssSelector("#releases li")).size() >= 3 ? d.findElement(By.cssSelector("#releases li")) : null);
        assertEquals("release state-degraded", first.getDomAttribute("class"), "degraded comes before the newer healthy one");
        assertTrue(first.getText().toLowerCase().startsWith("demo 1.4.0\nproduction\n! degraded"), first.getText());
        List<WebElement> items = chromium.driver.findElements(By.cssSelector("#releases li"));
        assertEquals("web 2.8.0\nproduction\ncancelled", items.get(items.size() - 1).getText().toLowerCase(), "ended ones last");

        open(id, "demo 1.4.0 (production)");
        // The page refreshes by itself: the 5 s rate settles on the 2 % the service fails.
        String rule = chromium.awaitText(By.cssSelector("#rules tr"), "the error-rate rule in P1 at about 2 %",
                t -> t.contains("P1 breach") && Math.abs(percent(t) - 2) < 0.3);
        assertTrue(rule.startsWith("error-rate") && rule.contains("P1 > 1 %, P0 > 5 %"), rule);
        String incident = chromium.awaitText(By.id("incident"), "the open incident", t -> t.contains("open: paging"));
        assertTrue(incident.contains("P1") && incident.contains("level 1"), incident);
        assertTrue(incident.contains("error-rate: ") && incident.contains("(P1 > 1 %)"), incident);
        assertTrue(incident.matches("(?s).*Opened \\S.*\\d:\\d\\d:\\d\\d( [AP]M)? (UTC|GMT\\S*|[A-Z]{3,4}).*"),
                "times name their zone: " + incident);

        chromium.driver.findElement(By.id("reason")).sendKeys("looking at the 5xx spike");
        chromium.driver.findElement(By.id("ack")).click();
        String acked = chromium.awaitText(By.id("incident"), "the acknowledgement on the page", t -> t.contains("Acknowledged by alice"));
        assertTrue(acked.contains("“looking at the 5xx spike”") && acked.contains("acknowledged: paging stopped"), acked);
        assertEquals("Acknowledged: paging stopped.", chromium.driver.findElement(By.id("action-status")).getText());
        assertFalse(chromium.driver.findElement(By.id("ack")).isDisplayed(), "no second acknowledgement");
        assertTrue(chromium.driver.findElement(By.id("accept")).isDisplayed());
        chromium.awaitText(By.cssSelector("#timeline li"), "the acknowledgement on the timeline",
                t -> t.endsWith("acknowledged acknowledged by alice: “looking at the 5xx spike”"));

        JsonObject inc = daemon.release(id).getJsonObject("incident");
        assertEquals("acknowledged", inc.getString("status"));
        assertEquals("alice", inc.getJsonObject("acknowledged").getString("who"));
        assertEquals("looking at the 5xx spike", inc.getJsonObject("acknowledged").getString("reason"));
        List<LogEntry> problems = chromium.driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).toList();
        assertEquals(List.of(), problems, "the console is clean: no CSP violation, no failed load");
        screenshots();
    }

    /** Desktop and phone; on the phone, one column with no sideways scroll and tap targets of 44 px. */
    private void screenshots() {
        chromium.script("document.getElementById('reason').blur(); window.scrollTo(0, 0)");
        try {
            chromium.wholePage(1280, 1600);
            chromium.screenshot(SHOTS.resolve("oncall-desktop.png"));
            chromium.phone(390, 844);
            chromium.await(Duration.ofSeconds(10), "the phone layout", d -> (Boolean) chromium.script(
                    "return window.innerWidth === 390 && document.documentElement.scrollWidth <= window.innerWidth"));
            assertEquals(0L, chromium.script("return [...document.querySelectorAll('button, #releases a, input, textarea')]"
                    + ".filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44).length"), "tap targets >= 44 px");
            // At 3 a.m. on a phone: the release's incident and the decision buttons on the first screen, the list after.
            chromium.script("window.scrollTo(0, 0)");
            chromium.screenshot(SHOTS.resolve("oncall-phone.png"));
            assertEquals(Boolean.TRUE, chromium.script("const box = (id) => document.getElementById(id).getBoundingClientRect();"
                    + "return box('detail').top < box('list').top && box('incident').top < window.innerHeight"
                    + " && box('accept').bottom <= window.innerHeight && box('rollback').bottom <= window.innerHeight"),
                    "the incident and its buttons within the first 844 px: " + chromium.script(
                            "return JSON.stringify(['detail', 'list', 'incident', 'accept', 'rollback']"
                            + ".map(id => [id, document.getElementById(id).getBoundingClientRect().top]))"));
        } finally {
            chromium.resetViewport();
        }
    }

    @Test
    @DisplayName("a viewer's acknowledgement is refused plainly, the buttons go, and nothing is recorded")
    void viewerIsRefused() {
        String id = degraded("1.5.0", "staging");
        signIn(RealDaemon.VIEWER_TOKEN);
        open(id, "demo 1.5.0 (staging)");
        chromium.awaitText(By.id("incident"), "the open incident", t -> t.contains("open: paging"));
        chromium.driver.findElement(By.id("reason")).sendKeys("I only watch");
        chromium.driver.findElement(By.id("ack")).click();
        chromium.awaitText(By.id("action-status"), "the refusal",
                t -> t.equals("This token cannot acknowledge: it needs the oncall role."));
        assertFalse(chromium.driver.findElement(By.id("actions")).isDisplayed(), "no buttons for a token that cannot decide");
        assertTrue(chromium.driver.findElement(By.id("readonly")).getText().contains("need the oncall role"));
        JsonObject inc = daemon.release(id).getJsonObject("incident");
        assertEquals("open", inc.getString("status"));
        assertNull(inc.getValue("acknowledged"));
    }

    @Test
    @DisplayName("a wrong token is told so and kept nowhere; signing out forgets the token")
    void wrongTokenAndSignOut() {
        signIn("not-a-token");
        chromium.awaitText(By.id("signin-error"), "the refusal", t -> t.equals("This token is not valid."));
        assertNull(chromium.script("return sessionStorage.getItem('watchdog.token')"));
        signIn(RealDaemon.ONCALL_TOKEN);
        chromium.await(Duration.ofSeconds(10), "the releases", d -> d.findElement(By.id("app")).isDisplayed());
        chromium.driver.findElement(By.id("signout")).click();
        assertTrue(chromium.driver.findElement(By.id("signin")).isDisplayed());
        assertEquals(0L, chromium.script("return sessionStorage.length"));
        assertFalse(chromium.driver.getCurrentUrl().contains("token"), chromium.driver.getCurrentUrl());
    }

    @Test
    @DisplayName("markup in a release's fields is shown as text, never run")
    void markupIsText() {
        String markup = "<img src=x onerror=alert(1)>";
        String id = daemon.register(new JsonObject().put("service", "demo").put("version", "<b>1.6.0</b>")
                .put("environment", "canary").put("labels", new JsonObject().put("team", markup)));
        signIn(RealDaemon.VIEWER_TOKEN);
        open(id, "demo <b>1.6.0</b> (canary)");
        chromium.awaitText(By.id("facts"), "the label as text", t -> t.contains("team=" + markup));
        assertEquals(0, chromium.driver.findElements(By.cssSelector("#app img, #app b")).size());
        assertEquals("Release Watchdog: on call", chromium.driver.getTitle());
    }

    @Test
    @DisplayName("the page is served without a token, with headers that forbid inline script, other origins and framing")
    void headers() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(daemon.url() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertEquals("text/html;charset=UTF-8", page.headers().firstValue("Content-Type").orElse(""));
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("default-src 'none'") && csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'"), csp);
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(""));
        assertEquals("no-cache", page.headers().firstValue("Cache-Control").orElse(""));
        assertTrue(page.body().contains("<script src=\"app.js\" defer></script>"));
        assertEquals(401, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(daemon.url() + "/api/v1/releases")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode(), "the API still wants a token");
    }

    /** Registers demo VERSION in ENVIRONMENT and waits, through the API, until the 2 % errors make it degraded. */
    private static String degraded(String version, String environment) {
        String id = daemon.register(new JsonObject().put("service", "demo").put("version", version).put("environment", environment)
                .put("previousVersion", "1.3.2").put("window", "24h").put("bake", "30m"));
        Poll.until(Duration.ofSeconds(60), id + " degraded", () -> "degraded".equals(daemon.release(id).getString("state")));
        return id;
    }

    private static void signIn(String token) {
        chromium.await(Duration.ofSeconds(10), "the sign-in form", d -> d.findElement(By.id("token")).isDisplayed());
        WebElement field = chromium.driver.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        chromium.driver.findElement(By.cssSelector("#signin button[type=submit]")).click();
    }

    /** Clicks the release in the list, as a person would, and waits for its page. */
    private static void open(String id, String title) {
        By link = By.cssSelector("#releases a[href='#" + id + "']");
        chromium.await(Duration.ofSeconds(30), "the release in the list", d -> d.findElements(link).isEmpty() ? null : true);
        chromium.driver.findElement(link).click();
        chromium.awaitText(By.id("detail-title"), "the release's page", title::equals);
    }

    /** The first percentage in a text, or NaN. */
    private static double percent(String text) {
        Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?) %").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
