// Package amqp bridges subscription events to RabbitMQ (AMQP 0-9-1): a
// Watermill publisher (watermill-amqp) that publishes persistent messages
// to one durable topic exchange, declared when missing, with the topic of
// Publish as the routing key, and waits for the broker's confirm.
package amqp
