/** Call, letter and master-data tasks: listing, assigning, completing with an outcome, reopening. */
export { assignTask, reopenTask } from './assign';
export { completeTask, type CompletedTask } from './complete';
export {
  assignableMembers,
  getTask,
  listTasks,
  sectionOf,
  type DueSection,
  type TaskPage,
  type TaskView,
} from './list';
export {
  assignTaskInput,
  completeTaskInput,
  listTasksInput,
  TASK_OUTCOMES,
  type CompleteTaskInput,
} from './input';
