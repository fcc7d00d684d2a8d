package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.conversation.ReceiptStatus;
import io.parley.testing.LaterVersion;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A receipt of a status a later version added, sent to a user entity of this version (a rolling update). */
class LaterReceiptStatusTest extends UserFixture {
  @Test
  void aReceiptOfAStatusAddedLaterIsNeitherStoredNorSent() {
    var bob = spawn();
    var laptop = connect(bob, "laptop", 0); // known and offline: a receipt would be stored for it
    bob.tell(new UserActor.Disconnect("laptop", laptop.ref()));
    var phone = connect(bob, "phone", 0);
    UserActor.DeliverReceipt played = LaterVersion.read(harness.testKit.system(),
        new UserActor.DeliverReceipt("d:alice:bob", 2, "alice", ReceiptStatus.READ), "\"READ\"", "\"PLAYED\"");
    bob.tell(played);
    bob.tell(new UserActor.DeliverReceipt("d:alice:bob", 2, "alice", ReceiptStatus.READ));
    sync(bob);
    assertEquals(List.of(1L), pendingCursors(bob, 0), "only the receipt this version knows");
    var item = (DeviceEvent.ReceiptItem) phone.receiveMessage();
    assertEquals(new DeviceEvent.Receipt("d:alice:bob", 2, "alice", ReceiptStatus.READ), item.receipt());
    phone.expectNoMessage(Duration.ofMillis(200));
  }
}
