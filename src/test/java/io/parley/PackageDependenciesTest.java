package io.parley;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationJournal;
import io.parley.conversation.ConversationState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Capabilities depend on each other in one direction only, so each can be read (and changed)
 * without the ones above it: gateway → user → push → conversation → cluster, archive →
 * conversation. Where a lower package must reach a higher one, it declares a small interface
 * ({@code Recipients}, {@code TokenHolders}, {@code ColdArchive}, ...) that the node wires.
 */
class PackageDependenciesTest {
  static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.parley");
  }

  @Test
  void noPackagesDependOnEachOtherInACircle() {
    slices().matching("io.parley.(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  void onlyTheNodeItselfLivesInTheRootPackageAndNothingDependsOnIt() {
    noClasses().that().resideOutsideOfPackage("io.parley")
        .should().dependOnClassesThat().resideInAPackage("io.parley")
        .check(main);
  }

  @Test
  void entitiesDoNotReachUpIntoTheGateway() {
    noClasses().that().resideInAnyPackage("io.parley.conversation..", "io.parley.user..", "io.parley.push..",
            "io.parley.archive..", "io.parley.media..", "io.parley.cluster..", "io.parley.storage..")
        .should().dependOnClassesThat().resideInAPackage("io.parley.gateway..")
        .check(main);
  }

  /**
   * The archive is the cold tier's I/O (S3, the calendar, the clock); what to archive and when is
   * the conversation's own decision ({@code conversation.ArchiveRuns}), made on its state and
   * persisted as its events. So the archive sees neither, and reaches a conversation only through
   * the ports it implements and the commands it sends.
   */
  @Test
  void theArchiveDoesNotReachIntoTheConversationEntity() {
    noClasses().that().resideInAPackage("io.parley.archive..")
        .should().dependOnClassesThat(DescribedPredicate.describe(
            "are the conversation entity's state, events, journal or archive runs",
            (JavaClass type) -> type.isAssignableTo(ConversationActor.Event.class)
                || type.getName().startsWith(ConversationState.class.getName())
                || type.isEquivalentTo(ConversationJournal.class)
                || type.getName().startsWith("io.parley.conversation.ArchiveRuns")))
        .check(main);
  }

  /**
   * The gateway's parts: the WebSocket transport ({@code socket}) above the connection of one
   * device ({@code session}), above the large-group relay ({@code relay}); account requests apart.
   * The gateway's own package wires them and holds what they share (ChatService, WireFormat).
   */
  @Test
  void theGatewaysPartsDependOnEachOtherInOneDirection() {
    slices().matching("io.parley.gateway.(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  void theLargeGroupRelayAndAccountRequestsKnowNoConnection() {
    noClasses().that().resideInAnyPackage("io.parley.gateway.relay..", "io.parley.gateway.account..")
        .should().dependOnClassesThat().resideInAnyPackage("io.parley.gateway.session..", "io.parley.gateway.socket..")
        .check(main);
  }

  /** The session tells its socket what to send through {@code SocketOutput}; only the socket knows the session. */
  @Test
  void theSessionKnowsNoSocket() {
    noClasses().that().resideInAPackage("io.parley.gateway.session..")
        .should().dependOnClassesThat().resideInAPackage("io.parley.gateway.socket..")
        .check(main);
  }

  /** pekko-http's WebSocket internals ({@code @InternalApi}, may change in any release) stay in one package. */
  @Test
  void onlyTheSocketUsesPekkoHttpInternals() {
    noClasses().that().resideOutsideOfPackage("io.parley.gateway.socket..")
        .should().dependOnClassesThat().resideInAPackage("org.apache.pekko.http.impl..")
        .check(main);
  }

  /** What the gateway uses to refuse, limit and seal lies below it, so the gateway can be split without circles. */
  @Test
  void errorsLimitsAndSealingDoNotReachUpIntoTheGateway() {
    noClasses().that().resideInAnyPackage("io.parley.api..", "io.parley.limits..", "io.parley.privacy..")
        .should().dependOnClassesThat().resideInAPackage("io.parley.gateway..")
        .check(main);
  }

  /** The embedded store imports nothing else of Parley, so it can be read, tested and released alone. */
  @Test
  void theStoreIsAComponentOfItsOwn() {
    noClasses().that().resideInAPackage("io.parley.store..")
        .should().dependOnClassesThat(DescribedPredicate.describe("Parley classes outside io.parley.store",
            (JavaClass type) -> type.getPackageName().startsWith("io.parley")
                && !type.getPackageName().equals("io.parley.store") && !type.getPackageName().startsWith("io.parley.store.")))
        .check(main);
  }
}
