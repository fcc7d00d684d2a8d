package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.testing.ParleyProcess;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web client in a real browser (Debian's headless Chromium through chromedriver) against a
 * real node: two separate browser profiles, alice and bob, chat with each other.
 */
class WebClientIT {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir Path temp;
  ParleyProcess node;
  WebDriver alice;
  WebDriver bob;

  @AfterEach
  void tearDown() {
    for (WebDriver driver : new WebDriver[] {alice, bob}) {
      if (driver != null) {
        driver.quit();
      }
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  void twoPeopleChatThroughACrashAndFindHistoryAfterAReload() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "No browser: install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
            + " to run the web client test; .ci/run installs them.");
    node = ParleyProcess.start(temp);
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String aliceId = "alice" + suffix;
    String bobId = "bob" + suffix;
    String conversation = "d:" + aliceId + ":" + bobId;
    alice = browser("alice");
    bob = browser("bob");
    signIn(alice, aliceId);
    signIn(bob, bobId);

    // Alice starts a direct chat with bob and writes to him.
    alice.findElement(By.id("new-chat-user")).sendKeys(bobId);
    alice.findElement(By.id("new-chat")).click();
    say(alice, "hi bob");
    // Bob's browser is connected and acks what it receives: alice's tick goes to delivered.
    awaitTick(alice, 1, "delivered");

    // Bob is not looking at the conversation: its unread badge rises.
    awaitText(bob, By.cssSelector(inboxItem(conversation) + " .unread"), "1");
    say(alice, "are you there?");
    awaitText(bob, By.cssSelector(inboxItem(conversation) + " .unread"), "2");
    assertEquals("are you there?", bob.findElement(By.cssSelector(inboxItem(conversation) + " .preview")).getText());

    // Bob opens it: he sees both messages, his badge clears, and alice's ticks turn to read.
    bob.findElement(By.cssSelector(inboxItem(conversation))).click();
    wait(bob).until(d -> d.findElements(By.cssSelector("#messages .message")).size() == 2);
    wait(bob).until(ExpectedConditions.numberOfElementsToBe(By.cssSelector(inboxItem(conversation) + " .unread"), 0));
    awaitTick(alice, 2, "read");

    // Typing shows on the other side; the reply arrives.
    bob.findElement(By.id("composer-input")).sendKeys("y");
    awaitText(alice, By.id("typing"), bobId + " is typing…");
    bob.findElement(By.id("composer-input")).clear();
    say(bob, "yes, here");
    wait(alice).until(d -> messageTexts(d).contains("yes, here"));
    assertEquals("online", alice.findElement(By.id("presence")).getText());

    screenshot(alice, "web-client-alice.png");
    screenshot(bob, "web-client-bob.png");

    // On a phone-sized screen the conversation takes the whole width, with a way back.
    bob.manage().window().setSize(new Dimension(390, 844));
    wait(bob).until(ExpectedConditions.visibilityOfElementLocated(By.id("back")));
    assertTrue(!bob.findElement(By.id("inbox-pane")).isDisplayed());
    screenshot(bob, "web-client-phone.png");
    bob.findElement(By.id("back")).click();
    wait(bob).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(inboxItem(conversation))));

    // The node dies; alice writes anyway. Both browsers reconnect on their own once it is back,
    // her message is sent with its original id, and bob sees it exactly once.
    bob.findElement(By.cssSelector(inboxItem(conversation))).click();
    node.kill();
    wait(alice).until(d -> !"online".equals(d.findElement(By.id("connection")).getText()));
    say(alice, "still there?");
    wait(alice).until(ExpectedConditions.attributeToBe(
        By.cssSelector("#messages .message.mine:last-child .tick"), "data-state", "pending"));
    node.launch();
    awaitText(alice, By.id("connection"), "online");
    awaitTick(alice, 4, "read");
    wait(bob).until(d -> messageTexts(d).contains("still there?"));
    assertEquals(1, messageTexts(bob).stream().filter("still there?"::equals).count());
    assertEquals(1, messageTexts(alice).stream().filter("still there?"::equals).count());

    // Nothing anyone wrote ever reached the browser console.
    for (WebDriver driver : List.of(alice, bob)) {
      for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
        for (String content : List.of("hi bob", "are you there?", "yes, here", "still there?")) {
          assertTrue(!entry.getMessage().contains(content), "console shows content: " + entry.getMessage());
        }
      }
    }

    // After a reload alice is still signed in and finds the whole conversation in history.
    alice.navigate().refresh();
    awaitText(alice, By.id("connection"), "online");
    wait(alice).until(ExpectedConditions.elementToBeClickable(By.cssSelector(inboxItem(conversation)))).click();
    wait(alice).until(d -> messageTexts(d).equals(List.of("hi bob", "are you there?", "yes, here", "still there?")));
    assertEquals(3, alice.findElements(By.cssSelector("#messages .message.mine")).size());

    // A picture attached in one browser is uploaded, sent as media, and shown in the other
    // (fetched with the token in the query, as an <img> cannot send a header).
    Path picture = temp.resolve("dot.png");
    Files.write(picture, java.util.Base64.getDecoder().decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="));
    alice.findElement(By.id("composer-file")).sendKeys(picture.toString());
    for (WebDriver driver : List.of(alice, bob)) {
      wait(driver).until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript(
          "const img = document.querySelector('#messages .message .media img');"
              + " return !!img && img.complete && img.naturalWidth === 1;")));
    }
    awaitTick(alice, 5, "read");
  }

  private WebDriver browser(String name) throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--window-size=1000,760",
        "--user-data-dir=" + Files.createDirectories(temp.resolve("profile-" + name)));
    options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.get(node.http("/").toString());
    return driver;
  }

  private static void signIn(WebDriver driver, String userId) {
    wait(driver).until(ExpectedConditions.visibilityOfElementLocated(By.id("user-id"))).sendKeys(userId);
    driver.findElement(By.id("sign-in")).click();
    awaitText(driver, By.id("connection"), "online");
    assertEquals(userId, driver.findElement(By.id("me")).getText());
  }

  private static void say(WebDriver driver, String text) {
    WebElement input = wait(driver).until(ExpectedConditions.visibilityOfElementLocated(By.id("composer-input")));
    input.sendKeys(text);
    driver.findElement(By.id("send")).click();
  }

  private static void awaitTick(WebDriver driver, long seq, String state) {
    wait(driver).until(ExpectedConditions.attributeToBe(
        By.cssSelector("#messages .message[data-seq='" + seq + "'] .tick"), "data-state", state));
  }

  private static void awaitText(WebDriver driver, By element, String text) {
    wait(driver).until(ExpectedConditions.textToBe(element, text));
  }

  /**
   * The texts of the shown messages, read in one script run: the page may re-render the list
   * between a lookup and a read of each element (a reconnect redraws it), which made this racy.
   */
  @SuppressWarnings("unchecked")
  private static List<String> messageTexts(WebDriver driver) {
    return (List<String>) ((JavascriptExecutor) driver).executeScript(
        "return Array.from(document.querySelectorAll('#messages .message .content'), e => e.innerText.trim());");
  }

  private static String inboxItem(String conversationId) {
    return ".inbox-item[data-conversation-id='" + conversationId + "']";
  }

  /** Lists re-render on every event, so an element read mid-render is simply read again. */
  private static WebDriverWait wait(WebDriver driver) {
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  private static void screenshot(WebDriver driver, String name) throws Exception {
    File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Path target = Path.of("target", name);
    Files.createDirectories(target.getParent());
    Files.copy(shot.toPath(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
