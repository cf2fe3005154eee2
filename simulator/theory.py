"""Queueing theory for the sanity check: the M/M/c queue (Erlang C). Pure."""

from __future__ import annotations


def erlang_c(servers: int, offered_load: float) -> float:
    """The probability that an arrival waits: ``offered_load`` = arrival rate × mean
    service time (in Erlang), below ``servers``."""
    if not 0 <= offered_load < servers:
        raise ValueError("the load must be below the number of servers")
    term, total = 1.0, 1.0
    for k in range(1, servers):
        term *= offered_load / k
        total += term
    last = term * offered_load / servers * servers / (servers - offered_load)
    return last / (total + last)


def mm_c_mean_wait(arrival_rate: float, mean_service: float, servers: int) -> float:
    """The mean time in queue of M/M/c: C(c, a) / (c·μ − λ)."""
    load = arrival_rate * mean_service
    return erlang_c(servers, load) / (servers / mean_service - arrival_rate)



def mm_c_stationary(servers: int, offered_load: float, cap: int = 10_000) -> list[float]:
    """The stationary distribution of the number in an M/M/c system, P(n) for n = 0, 1, …
    until the tail is below 1e-12 (for a start in the steady state: no warm-up)."""
    if not 0 <= offered_load < servers:
        raise ValueError("the load must be below the number of servers")
    weights, term = [1.0], 1.0
    for n in range(1, cap):
        term *= offered_load / min(n, servers)
        weights.append(term)
        if n > servers and term / sum(weights) < 1e-12:
            break
    total = sum(weights)
    return [w / total for w in weights]
