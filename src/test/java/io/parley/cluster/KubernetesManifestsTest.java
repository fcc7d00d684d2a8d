package io.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.parley.config.ParleyConfig;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every manifest in k8s/ is a valid Kubernetes object (parsed into fabric8's model of the API,
 * with no field the API does not know), and the deployment's invariants hold.
 */
class KubernetesManifestsTest {
  static final Map<String, Class<? extends KubernetesResource>> KINDS = Map.of(
      "StatefulSet", StatefulSet.class,
      "Service", Service.class,
      "ConfigMap", ConfigMap.class,
      "ServiceAccount", ServiceAccount.class,
      "Role", Role.class,
      "RoleBinding", RoleBinding.class,
      "PodDisruptionBudget", PodDisruptionBudget.class,
      "NetworkPolicy", NetworkPolicy.class);
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  @Test
  void everyManifestIsAValidKubernetesObjectWithNoUnknownField() throws Exception {
    List<KubernetesResource> resources = load();
    assertEquals(9, resources.size(), "statefulset, 2 services, configmap, SA, role, binding, pdb, network policy");
    for (KubernetesResource resource : resources) {
      List<String> unknown = unknownFields(resource);
      assertTrue(unknown.isEmpty(), "fields the Kubernetes API does not have: " + unknown);
    }
  }

  @Test
  void aMisplacedOrMisspelledFieldIsCaught() throws Exception {
    StatefulSet typo = YAML.readValue("""
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: x}
        spec:
          replicaz: 3
          template:
            spec:
              containers:
                - name: x
                  readinessProbe: {httpGet: {path: /ready, port: 8558}, periodSecond: 5}
        """, StatefulSet.class);
    assertEquals(List.of("StatefulSet.Spec.Template.Spec.Containers[0].ReadinessProbe.periodSecond", "StatefulSet.Spec.replicaz"),
        unknownFields(typo).stream().sorted().toList());
  }

  private static List<String> unknownFields(KubernetesResource resource) throws Exception {
    List<String> unknown = new ArrayList<>();
    collectUnknownFields(resource, resource.getClass().getSimpleName(), unknown, new IdentityHashMap<>());
    return unknown;
  }

  @Test
  void onlyParleysOwnPodsReachArteryAndManagement() throws Exception {
    NetworkPolicy policy = only(load(), NetworkPolicy.class);
    assertEquals(Map.of("app", "parley"), policy.getSpec().getPodSelector().getMatchLabels());
    assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
    for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
      List<String> ports = rule.getPorts().stream().map(NetworkPolicyPort::getPort)
          .map(port -> port.getStrVal() != null ? port.getStrVal() : port.getIntVal().toString()).toList();
      if (rule.getFrom() == null || rule.getFrom().isEmpty()) {
        assertEquals(List.of("http"), ports, "only the API is open to everyone");
      } else {
        assertFalse(ports.contains("http"));
        rule.getFrom().forEach(peer -> {
          assertTrue(peer.getIpBlock() == null && peer.getNamespaceSelector() == null, "pods of this namespace only");
          Map<String, String> labels = peer.getPodSelector().getMatchLabels();
          assertTrue(labels.equals(Map.of("app", "parley")) || (labels.equals(Map.of("parley-access", "management"))
              && ports.equals(List.of("management"))), "Artery only for Parley's pods: " + rule);
        });
      }
    }
  }

  @Test
  void theStatefulSetMatchesParleysConfigurationAndOperations() throws Exception {
    List<KubernetesResource> resources = load();
    StatefulSet statefulSet = only(resources, StatefulSet.class);
    ConfigMap configMap = only(resources, ConfigMap.class);
    Config defaults = ConfigFactory.load();

    assertEquals(3, statefulSet.getSpec().getReplicas());
    assertEquals("Parallel", statefulSet.getSpec().getPodManagementPolicy());
    Container container = statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, Integer> ports = new HashMap<>();
    for (ContainerPort port : container.getPorts()) {
      ports.put(port.getName(), port.getContainerPort());
    }
    Map<String, String> env = configMap.getData();
    assertEquals(Integer.parseInt(env.get("PARLEY_HTTP_PORT")), ports.get("http"));
    assertEquals(Integer.parseInt(env.get("PARLEY_MANAGEMENT_PORT")), ports.get("management"));
    assertEquals(Integer.parseInt(env.get("PARLEY_CLUSTER_PORT")), ports.get("remoting"));
    assertEquals(defaults.getInt("parley.http.port"), ports.get("http"), "the image's defaults agree too");
    assertEquals(defaults.getInt("pekko.management.http.port"), ports.get("management"));

    assertEquals("/ready", container.getReadinessProbe().getHttpGet().getPath());
    assertEquals("management", container.getReadinessProbe().getHttpGet().getPort().getStrVal());
    assertEquals("/alive", container.getLivenessProbe().getHttpGet().getPath());
    assertEquals("management", container.getLivenessProbe().getHttpGet().getPort().getStrVal());

    long drainSeconds = ConfigFactory.parseString("d = " + env.get("PARLEY_DRAIN_GRACE")).getDuration("d").toSeconds();
    assertTrue(statefulSet.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds() > drainSeconds + 10,
        "Kubernetes waits longer than the drain plus leaving the cluster");

    assertEquals("off", env.get("PARLEY_DEV_TOKENS"), "no dev tokens in a deployment");
    assertEquals("0.0.0.0", env.get("PARLEY_HTTP_HOST"), "the Service reaches the pod's own address");
    assertEquals("kubernetes", env.get("PARLEY_CLUSTER_BOOTSTRAP"));
    assertEquals("off", env.get("PARLEY_DYNAMODB_EMBEDDED"));
    assertEquals("off", env.get("PARLEY_S3_EMBEDDED"));
    assertNotNull(container.getResources().getLimits().get("memory"));
    assertNotNull(container.getResources().getRequests().get("cpu"));
    String javaOptions = container.getEnv().stream().filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS"))
        .findFirst().orElseThrow().getValue();
    assertTrue(javaOptions.contains("MaxRAMPercentage"), "heap sized from the container's memory");
    assertTrue(container.getEnv().stream().anyMatch(e -> e.getName().equals("PARLEY_JWT_SECRET")
        && e.getValueFrom().getSecretKeyRef() != null), "the JWT key comes from a Secret");

    String pushDir = container.getVolumeMounts().stream().filter(m -> m.getName().equals("push-credentials"))
        .findFirst().orElseThrow().getMountPath();
    assertTrue(env.get("PARLEY_APNS_KEY_FILE").startsWith(pushDir + "/"), "the APNs key comes from the push Secret");
    assertTrue(env.get("PARLEY_FCM_CREDENTIALS_FILE").startsWith(pushDir + "/"), "so does the FCM service account");
    assertEquals("parley-push", statefulSet.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals("push-credentials")).findFirst().orElseThrow().getSecret().getSecretName());

    String dataDir = container.getVolumeMounts().stream().filter(m -> m.getName().equals("data"))
        .findFirst().orElseThrow().getMountPath();
    assertEquals("/app/data", dataDir, "the image's data dir (WORKDIR /app, ./data)");
    Quantity dataLimit = statefulSet.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals("data")).findFirst().orElseThrow().getEmptyDir().getSizeLimit();
    long uploadsAtMost = defaults.getInt("parley.media.max-concurrent-uploads") * defaults.getBytes("parley.media.max-bytes");
    assertTrue(Quantity.getAmountInBytes(dataLimit).longValueExact() > uploadsAtMost,
        "room for every upload a node may have in progress: " + dataLimit + " against " + uploadsAtMost + " bytes");

    assertEquals("parley", statefulSet.getSpec().getTemplate().getSpec().getServiceAccountName());
    Role role = only(resources, Role.class);
    assertTrue(role.getRules().get(0).getVerbs().contains("list") && role.getRules().get(0).getResources().contains("pods"));
    assertEquals("app=%s".formatted(defaults.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name")),
        "app=" + statefulSet.getSpec().getTemplate().getMetadata().getLabels().get("app"),
        "bootstrap's pod selector finds these pods");
    Service headless = resources.stream().filter(r -> r instanceof Service s && "None".equals(s.getSpec().getClusterIP()))
        .map(Service.class::cast).findFirst().orElseThrow();
    assertTrue(headless.getSpec().getPublishNotReadyAddresses());
    assertEquals(statefulSet.getSpec().getServiceName(), headless.getMetadata().getName());
    assertEquals(1, only(resources, PodDisruptionBudget.class).getSpec().getMaxUnavailable().getIntVal());
  }

  @Test
  void kubernetesWaitsOutTheLongestShutdownBeforeItKills() throws Exception {
    List<KubernetesResource> resources = load();
    StatefulSet statefulSet = only(resources, StatefulSet.class);
    // The node's configuration as the ConfigMap's environment makes it, with the overrides the
    // node applies at start (the drain's phase follows PARLEY_DRAIN_GRACE).
    Config deployed = ParleyConfig.complete(ConfigFactory.parseMap(only(resources, ConfigMap.class).getData())
        .withFallback(ConfigFactory.parseResourcesAnySyntax("application"))
        .withFallback(ConfigFactory.defaultReference()).resolve(), "http://dynamodb:8000", "http://s3:9000");
    Config shutdown = deployed.getConfig("pekko.coordinated-shutdown");
    Duration phaseDefault = shutdown.getDuration("default-phase-timeout");
    Config phases = shutdown.getConfig("phases");
    // The phases run one after another; each may wait out its timeout before the next starts.
    Duration worstCase = phases.root().keySet().stream()
        .map(phase -> phases.getConfig(phase).hasPath("timeout") ? phases.getConfig(phase).getDuration("timeout") : phaseDefault)
        .reduce(Duration.ZERO, Duration::plus);
    long killAfter = statefulSet.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
    assertTrue(Duration.ofSeconds(killAfter).compareTo(worstCase) > 0,
        "SIGKILL after " + killAfter + " s could cut short a shutdown whose phases may take " + worstCase.toSeconds() + " s");
  }

  private static List<KubernetesResource> load() throws Exception {
    List<KubernetesResource> resources = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("k8s"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
          for (JsonNode document : YAML.readValues(parser, JsonNode.class).readAll()) {
            Class<? extends KubernetesResource> type = KINDS.get(document.path("kind").asText());
            assertNotNull(type, file + ": unexpected kind " + document.path("kind"));
            resources.add(YAML.treeToValue(document, type));
          }
        }
      }
    }
    return resources;
  }

  private static <T> T only(List<KubernetesResource> resources, Class<T> type) {
    List<T> matching = resources.stream().filter(type::isInstance).map(type::cast).toList();
    assertEquals(1, matching.size(), type.getSimpleName());
    return matching.get(0);
  }

  /**
   * fabric8 keeps fields it does not know in additionalProperties instead of failing; any entry
   * there is a field the Kubernetes API does not have (a typo, or the wrong place).
   */
  private static void collectUnknownFields(Object object, String path, List<String> unknown, Map<Object, Boolean> seen)
      throws Exception {
    if (object == null || seen.put(object, true) != null) {
      return;
    }
    if (object instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        collectUnknownFields(list.get(i), path + "[" + i + "]", unknown, seen);
      }
      return;
    }
    if (object instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        collectUnknownFields(entry.getValue(), path + "." + entry.getKey(), unknown, seen);
      }
      return;
    }
    if (!object.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : object.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
        continue;
      }
      Object value = getter.invoke(object);
      if (getter.getName().equals("getAdditionalProperties")) {
        ((Map<?, ?>) value).keySet().forEach(key -> unknown.add(path + "." + key));
      } else {
        collectUnknownFields(value, path + "." + getter.getName().substring(3), unknown, seen);
      }
    }
  }
}
