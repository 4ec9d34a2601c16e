import RdKafka
