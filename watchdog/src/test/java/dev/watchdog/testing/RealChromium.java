package dev.watchdog.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver (given by path, so that Selenium
 * never downloads a driver). Flags: root needs --no-sandbox; the background-networking ones keep it
 * from calling out of this closed machine; a fixed window size keeps screenshots stable.
 */
public final class RealChromium {

    public final ChromeDriver driver;

    private RealChromium(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Starts one browser with a fresh profile in {@code dir}. */
    public static RealChromium start(Path dir) {
        String chromium = RealProcess.binary("chromium", "chromium");
        String chromedriver = RealProcess.binary("chromedriver", "chromium-driver");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver)).usingAnyFreePort()
                .withLogFile(dir.resolve("chromedriver.log").toFile()).build();
        ChromeOptions options = new ChromeOptions().setBinary(chromium).addArguments(
                "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-quic", "--disable-extensions", "--lang=en-GB",
                "--user-data-dir=" + dir.resolve("profile").toAbsolutePath());
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        return new RealChromium(new ChromeDriver(service, options));
    }

    public void stop() {
        driver.quit();
    }

    /** Waits, checking often, until {@code condition} gives a non-null, non-false answer. */
    public <T> T await(Duration timeout, String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout).withMessage(() -> "waiting for " + what).until(condition);
    }

    /** Waits until the element's visible text satisfies {@code test}; returns that text. */
    public String awaitText(By by, String what, java.util.function.Predicate<String> test) {
        return await(Duration.ofSeconds(30), what, d -> d.findElements(by).stream().map(WebElement::getText)
                .filter(test).findFirst().orElse(null));
    }

    public Object script(String js, Object... args) {
        return driver.executeScript(js, args);
    }

    /** The viewport at a phone's size, as a phone reports it (mobile: the page's viewport meta applies). */
    public void phone(int width, int height) {
        viewport(width, height, true);
    }

    /** A desktop viewport as tall as the page (at most {@code maxHeight}), for a screenshot of all of it. */
    public void wholePage(int width, int maxHeight) {
        viewport(width, width, false);
        long height = (Long) script("return document.documentElement.scrollHeight");
        viewport(width, (int) Math.min(height, maxHeight), false);
    }

    private void viewport(int width, int height, boolean mobile) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", mobile ? 2 : 1, "mobile", mobile));
    }

    /** Back to the window's own size. */
    public void resetViewport() {
        driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    }

    /** A screenshot of the viewport into {@code file}. */
    public void screenshot(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
