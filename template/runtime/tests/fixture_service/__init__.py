"""The runtime's fixture service: a service built on durable_jobs as a rendered project
builds one (settings, jobs, routes, worker, relay, Beat, Flower), with jobs and routes
of its own. The runtime's integration and resilience tests boot it as real processes
(`../Procfile`); its configuration is the environment's, like any service's: BROKER_URL
(Redis or RabbitMQ), DATABASE_URL (the outbox and the signup route), PRIORITY_QUEUES."""
