/* The calibration program: does nothing. Spawning it measures the harness's own spawn cost. */
int main(void) { return 0; }
