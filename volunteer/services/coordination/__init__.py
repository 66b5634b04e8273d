"""The city coordinators' work: verification queues, statistics, the city-wide proposal."""
