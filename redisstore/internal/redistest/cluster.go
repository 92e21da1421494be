package redistest

import (
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Cluster is a Redis Cluster of throwaway nodes.
type Cluster struct {
	Nodes []*Node
}

// ClusterOptions shape a cluster.
type ClusterOptions struct {
	// Masters and ReplicasPerMaster: 3 and 1 (six nodes) when zero.
	Masters, ReplicasPerMaster int
	// NodeTimeout is cluster-node-timeout: how long a master must be
	// unreachable before its replica takes over. Default 5s.
	NodeTimeout time.Duration
	// NoReplicas builds a cluster of masters only.
	NoReplicas bool
}

// StartCluster starts the nodes, joins them with redis-cli --cluster create
// and waits until every node reports cluster_state:ok and every replica is in
// sync with its master.
func StartCluster(o ClusterOptions) (*Cluster, error) {
	if o.Masters == 0 {
		o.Masters = 3
	}
	if o.ReplicasPerMaster == 0 && !o.NoReplicas {
		o.ReplicasPerMaster = 1
	}
	if o.NoReplicas {
		o.ReplicasPerMaster = 0
	}
	if o.NodeTimeout == 0 {
		o.NodeTimeout = 5 * time.Second
	}
	if _, err := exec.LookPath("redis-cli"); err != nil {
		return nil, fmt.Errorf("redistest: redis-cli not installed (apt-get install redis-tools): %w", err)
	}
	c := &Cluster{}
	total := o.Masters * (1 + o.ReplicasPerMaster)
	for range total {
		n, err := StartNode("cluster-enabled yes", "cluster-config-file nodes.conf",
			"cluster-node-timeout "+strconv.FormatInt(o.NodeTimeout.Milliseconds(), 10),
			"cluster-require-full-coverage no", "cluster-allow-reads-when-down no")
		if err != nil {
			c.Stop()
			return nil, err
		}
		c.Nodes = append(c.Nodes, n)
	}
	if o.Masters == 1 && o.ReplicasPerMaster == 0 {
		// redis-cli --cluster create wants three masters; one takes every slot itself.
		if _, err := c.Nodes[0].Do("CLUSTER", "ADDSLOTSRANGE", "0", "16383"); err != nil {
			c.Stop()
			return nil, err
		}
		if err := c.WaitHealthy(60 * time.Second); err != nil {
			c.Stop()
			return nil, err
		}
		return c, nil
	}
	args := []string{"--cluster", "create"}
	for _, n := range c.Nodes {
		args = append(args, n.Addr)
	}
	args = append(args, "--cluster-replicas", strconv.Itoa(o.ReplicasPerMaster), "--cluster-yes")
	if out, err := exec.Command("redis-cli", args...).CombinedOutput(); err != nil {
		c.Stop()
		return nil, fmt.Errorf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	if err := c.WaitHealthy(60 * time.Second); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// Addrs returns the nodes' addresses, as seeds for a client.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Addr
	}
	return out
}

// WaitHealthy waits until every running node reports cluster_state:ok with all
// slots assigned, and every replica's link to its master is up.
func (c *Cluster) WaitHealthy(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		if last = c.unhealthy(); last == "" {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("redistest: cluster not healthy after %v: %s", timeout, last)
}

func (c *Cluster) unhealthy() string {
	for _, n := range c.Nodes {
		if !n.Alive() {
			continue
		}
		info, err := n.Do("CLUSTER", "INFO")
		if err != nil {
			return n.Addr + ": " + err.Error()
		}
		if !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_slots_ok:16384") {
			return n.Addr + ": " + strings.ReplaceAll(info, "\r\n", " ")
		}
		repl, err := n.Do("INFO", "replication")
		if err != nil {
			return n.Addr + ": " + err.Error()
		}
		if strings.Contains(repl, "role:slave") && !strings.Contains(repl, "master_link_status:up") {
			return n.Addr + ": replica not in sync"
		}
	}
	return ""
}

// MasterOf returns the running node that is master for key's slot, as the
// cluster itself reports it (CLUSTER NODES, the node's own line).
func (c *Cluster) MasterOf(key string) (*Node, error) {
	var slot string
	for _, n := range c.Nodes {
		if n.Alive() {
			var err error
			if slot, err = n.Do("CLUSTER", "KEYSLOT", key); err == nil {
				break
			}
		}
	}
	if slot == "" {
		return nil, errors.New("redistest: no node answers")
	}
	for _, n := range c.Nodes {
		if !n.Alive() {
			continue
		}
		nodes, err := n.Do("CLUSTER", "NODES")
		if err != nil {
			continue
		}
		for _, line := range strings.Split(nodes, "\n") {
			f := strings.Fields(line)
			if len(f) >= 9 && strings.Contains(f[2], "myself") && strings.Contains(f[2], "master") && servesSlot(f[8:], slot) {
				return n, nil
			}
		}
	}
	return nil, fmt.Errorf("redistest: no master serves slot %s", slot)
}

func servesSlot(ranges []string, slot string) bool {
	s, err := strconv.Atoi(slot)
	if err != nil {
		return false
	}
	for _, r := range ranges {
		lo, hi, isRange := strings.Cut(r, "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 == nil && err2 == nil && a <= s && s <= b {
			return true
		}
	}
	return false
}

// Stop kills every node and removes nothing else: the run's dir goes with
// Cleanup.
func (c *Cluster) Stop() {
	for _, n := range c.Nodes {
		if n.Alive() {
			n.Kill()
		}
	}
}
